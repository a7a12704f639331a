/**
 * Garbage in, typed errors out: whatever the text, parseConfig returns (never throws), every error is
 * a catalogued ConfigError located inside the file, and the work stays linear (no hang).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CONFIG_ERROR_CODES, ConfigError, ConfigInvalidError, parseConfig } from '../../src/config/index.js';
import { TEST_REGISTRY } from './specs.js';

const FRAGMENTS = [
  '"',
  "'",
  '/*',
  '*/',
  '//',
  '#',
  '#!ifdef X',
  '{',
  '}',
  '(',
  ')',
  ',',
  '=',
  ';',
  '\\',
  '...',
  'route',
  'route[x]',
  'timer_route[a,',
  'loadmodule',
  '"proto_wss.so"',
  '"tls_mgm.so"',
  'modparam(',
  '"proto_wss"',
  '"wss_port"',
  '"tls_mgm"',
  '"certificate"',
  '"[d]/nonexistent"',
  'listen',
  'socket',
  'wss:',
  '[::1]',
  ':443',
  'as',
  'use_workers',
  'log_level',
  '0x',
  '-',
  '0777',
  'yes',
  '\u0000',
  '\uFEFF',
  '\t',
  '\r',
];

const line = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 8 }).map((a) => a.join(' ')),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 8 }).map((a) => a.join('')),
  fc.constantFrom(
    'loadmodule "tls_mgm.so"',
    'loadmodule "proto_wss.so"',
    'listen=wss:127.0.0.1:8443',
    'modparam("proto_wss", "wss_port", 443)',
    'log_level=3',
    '...',
  ),
);

function checkOutcome(text: string): void {
  const lines = text.split('\n').length;
  const r = parseConfig(text, 'fuzz.cfg', TEST_REGISTRY);
  if (r.ok) {
    assert.ok(Object.isFrozen(r.value));
    return;
  }
  assert.ok(r.error instanceof ConfigInvalidError);
  assert.ok(r.error.errors.length >= 1 && r.error.errors.length <= 50);
  for (const e of r.error.errors) {
    assert.ok(e instanceof ConfigError);
    assert.ok(e.code in CONFIG_ERROR_CODES, e.code);
    assert.ok(e.source.line >= 1 && e.source.line <= lines, `${e.message} (file has ${lines} lines)`);
    assert.ok(e.source.column >= 1);
  }
}

test('random lines never throw, and every error is typed and located', { timeout: 30_000 }, () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 25 }), (lines) => checkOutcome(lines.join('\n'))),
    { numRuns: 400 },
  );
});

test('random text never throws either', { timeout: 30_000 }, () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (text) => checkOutcome(text)),
    { numRuns: 300 },
  );
});

test('large hostile inputs are processed in linear time', { timeout: 30_000 }, () => {
  const inputs = [
    '{'.repeat(100_000),
    'route {'.repeat(20_000),
    '/*'.repeat(50_000),
    '"'.repeat(100_001),
    'x=1 '.repeat(5_000),
    `${'a'.repeat(100_000)}=1`,
    'modparam('.repeat(20_000),
    '...\n'.repeat(20_000),
  ];
  for (const text of inputs) {
    const start = performance.now();
    checkOutcome(text);
    const ms = performance.now() - start;
    assert.ok(ms < 2_000, `${JSON.stringify(text.slice(0, 12))}… took ${ms.toFixed(0)} ms`);
  }
});
