/**
 * Every example of the proto_wss documentation (fixtures/seed-*.cfg, copied verbatim, `...` lines
 * included) loads as it stands: the modules it uses are built in and load implicitly (with a
 * notice), where OpenSIPS would want loadmodule lines first. The TLS example gets real files in
 * place of its /certs/... paths.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfigFile, parseConfig } from '../../src/config/index.js';
import { testPki } from '../helpers/certs.js';
import { invalid, param, scratchDir, WSS_PREAMBLE, where, writeCfg } from './helpers.js';
import { TEST_REGISTRY } from './specs.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const fixture = (name: string): string => readFileSync(join(FIXTURES, name), 'utf8');

function loadVerbatim(body: string) {
  const path = writeCfg(scratchDir(), 'opensips.cfg', body);
  const r = loadConfigFile(path, TEST_REGISTRY);
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
}

test('overview: mpath and two listen lines with trailing comments', () => {
  const cfg = loadVerbatim(fixture('seed-overview-listen.cfg'));
  assert.deepEqual(
    cfg.listen.map((l) => [l.proto, l.host, l.port, l.source.line]),
    [
      ['wss', '10.0.0.1', undefined, 4],
      ['wss', '10.0.0.1', 5060, 5],
    ],
  );
  assert.deepEqual(
    cfg.notices.map((n) => n.code),
    ['CONFIG_ELISION_IGNORED', 'CONFIG_GLOBAL_IGNORED', 'CONFIG_MODULE_IMPLICIT', 'CONFIG_MODULE_IMPLICIT'],
  );
  assert.match(cfg.notices[0]!.message, /lines 1, 3, 6/);
  assert.deepEqual(cfg.globals, {});
});

test('overview: the tls_mgm example, with real files for its paths', async () => {
  const pki = await testPki();
  const body = fixture('seed-overview-tls.cfg')
    .replace('/certs/biloxy.com/cert.pem', pki.files.serverCert)
    .replace('/certs/biloxy.com/privkey.pem', pki.files.serverKey)
    .replace('/certs/wellknownCAs', pki.files.ca);
  const cfg = loadVerbatim(body);
  const one = (name: string) => param(cfg, 'tls_mgm', name).map((v) => [v.value, v.domain, v.source.line]);
  assert.deepEqual(one('certificate'), [[pki.files.serverCert, undefined, 1]]);
  assert.deepEqual(one('private_key'), [[pki.files.serverKey, undefined, 2]]);
  assert.deepEqual(one('ca_list'), [[pki.files.ca, undefined, 3]]);
  assert.deepEqual(one('tls_method'), [['tlsv1', undefined, 4]]);
  // Per-domain flags keep their raw string: the TLS layer reads "[dom]1" and "1" alike.
  assert.deepEqual(one('verify_cert'), [['1', undefined, 5]]);
  assert.deepEqual(one('require_cert'), [['1', undefined, 6]]);
});

test('overview: the tls_mgm example verbatim names files that do not exist here, and says so', () => {
  const e = invalid(WSS_PREAMBLE + fixture('seed-overview-tls.cfg'), '/etc/sipwss/opensips.cfg');
  assert.deepEqual(where(e.errors), [
    '3:36 CONFIG_FILE_MISSING',
    '4:36 CONFIG_FILE_MISSING',
    '5:32 CONFIG_FILE_MISSING',
  ]);
  assert.equal(
    e.errors[0]!.message,
    '/etc/sipwss/opensips.cfg:3:36: tls_mgm.certificate: file "/certs/biloxy.com/cert.pem" does not exist',
  );
});

test('example 1.1: listen = wss:1.2.3.4:44344', () => {
  const cfg = loadVerbatim(fixture('seed-1.1-listen.cfg'));
  assert.equal(cfg.listen.length, 1);
  assert.deepEqual(
    { ...cfg.listen[0], source: undefined },
    {
      proto: 'wss',
      host: '1.2.3.4',
      port: 44344,
      keyword: 'listen',
      source: undefined,
    },
  );
});

for (const [file, name, value] of [
  ['seed-1.2-wss_port.cfg', 'wss_port', 44344],
  ['seed-1.3-wss_max_msg_chunks.cfg', 'wss_max_msg_chunks', 8],
  ['seed-1.4-wss_resource.cfg', 'wss_resource', '/wss'],
  ['seed-1.5-wss_handshake_timeout.cfg', 'wss_handshake_timeout', 300],
] as const) {
  test(`example ${file.slice(5, 8)}: ${name} = ${JSON.stringify(value)}`, () => {
    const cfg = loadVerbatim(fixture(file));
    const values = param(cfg, 'proto_wss', name);
    assert.deepEqual(
      values.map((v) => [v.value, v.source.line, v.source.column]),
      [[value, 2, 35 + name.length - 'wss_port'.length]],
    );
  });
}

test('an example loads verbatim, without loadmodule lines: built-in modules load implicitly, with a notice', () => {
  const r = parseConfig(fixture('seed-1.2-wss_port.cfg'), 'seed.cfg', TEST_REGISTRY);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(
    param(r.value, 'proto_wss', 'wss_port').map((v) => v.value),
    [44344],
  );
  const implicit = r.value.notices.filter((n) => n.code === 'CONFIG_MODULE_IMPLICIT').map((n) => n.message);
  assert.equal(implicit.length, 2);
  assert.match(implicit[0] ?? '', /^proto_wss: loaded implicitly for modparam\("proto_wss", \.\.\.\)/);
  assert.match(implicit[1] ?? '', /^tls_mgm: loaded implicitly for module proto_wss/);
});
