/**
 * docs/configuration.md is generated from the parameter tables; this fails when the committed page
 * is stale. The registry it checks is DOCS_REGISTRY in scripts/gen-config-docs.ts (switch it to the
 * real tables there and regenerate).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DOCS_PATH, DOCS_REGISTRY, PROVISIONAL, renderConfigDocs } from '../../scripts/gen-config-docs.js';
import { CONFIG_ERROR_CODES, CONFIG_NOTICE_CODES } from '../../src/config/index.js';
import type { ModuleSpec } from '../../src/params.js';

test('docs/configuration.md is up to date with the parameter tables', () => {
  const expected = renderConfigDocs(DOCS_REGISTRY, PROVISIONAL);
  const actual = readFileSync(DOCS_PATH, 'utf8');
  assert.ok(
    actual === expected,
    'docs/configuration.md is out of date: run `node --import tsx scripts/gen-config-docs.ts` and commit it',
  );
});

test('the rendered page lists every parameter, module, error code and notice code', () => {
  const mod: ModuleSpec = {
    name: 'proto_x',
    doc: 'A | piped doc.',
    params: [
      { name: 'x_port', type: 'int', default: 5, min: 1, max: 9, unit: 's', doc: 'Port.' },
      {
        name: 'x_mode',
        type: 'string',
        default: 'a',
        opensipsDefault: 'b',
        differs: 'Because.',
        doc: 'Mode.',
        perDomain: true,
        file: 'file',
      },
      { name: 'x_new', type: 'flag', default: 0, ours: true, doc: 'New.' },
    ],
  };
  const md = renderConfigDocs({ core: [], modules: [mod] }, false);
  assert.ok(md.includes('## Module `proto_x`') && md.includes('A \\| piped doc.'));
  const row = (name: string): string[] | undefined =>
    md
      .split('\n')
      .find((l) => l.startsWith(`| \`${name}\` `))
      ?.split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
  assert.deepEqual(row('x_port'), ['`x_port`', 'int 1..9 s', '5 s', 'same', 'Port.', '']);
  assert.deepEqual(row('x_mode'), [
    '`x_mode`',
    'string, file, per domain',
    '`"a"`',
    '`"b"`',
    'Mode.',
    'Because.',
  ]);
  assert.deepEqual(row('x_new'), ['`x_new`', 'flag', '0', '— (sipwss only)', 'New.', '']);
  assert.ok(row('listen') && row('socket') && row('mpath'));
  assert.ok(!md.includes('Provisional'));
  for (const code of [...Object.keys(CONFIG_ERROR_CODES), ...Object.keys(CONFIG_NOTICE_CODES)]) {
    assert.ok(row(code), code);
  }
});
