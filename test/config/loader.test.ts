import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfigFile, MAX_CONFIG_BYTES, parseConfig } from '../../src/config/index.js';
import { testPki } from '../helpers/certs.js';
import { invalid, load, param, scratchDir, WSS_PREAMBLE, where, writeCfg } from './helpers.js';
import { TEST_REGISTRY } from './specs.js';

const P = WSS_PREAMBLE;

test('integers: decimal, negative, 0x hex, 0 octal and yes/no words, as cfg.lex reads them', () => {
  const cfg = load(`${P}log_level=-1\ntcp_max_connections=0x100\ntcp_connection_lifetime=010
modparam("proto_wss", "require_origin", no)\nmodparam("proto_wss", "wss_max_msg_chunks", +6)`);
  assert.deepEqual(cfg.globals, { log_level: -1, tcp_max_connections: 256, tcp_connection_lifetime: 8 });
  assert.deepEqual(cfg.globalSources.tcp_max_connections, {
    file: '/nonexistent/test.cfg',
    line: 4,
    column: 21,
  });
  assert.deepEqual(
    param(cfg, 'proto_wss', 'require_origin').map((v) => [v.value, v.raw]),
    [[0, 0]],
  );
  assert.equal(param(cfg, 'proto_wss', 'wss_max_msg_chunks')[0]?.value, 6);
});

test('flags take 0/1 as integers or as the strings "0"/"1"', () => {
  for (const [given, expected] of [
    ['1', 1],
    ['0', 0],
    ['"1"', 1],
    ['"0"', 0],
  ] as const) {
    const cfg = load(`${P}modparam("proto_wss", "require_origin", ${given})`);
    assert.equal(param(cfg, 'proto_wss', 'require_origin')[0]?.value, expected);
  }
  assert.equal(
    invalid(`${P}modparam("proto_wss", "require_origin", "yes")`).errors[0]?.code,
    'CONFIG_WRONG_TYPE',
  );
});

test('strings: escapes decoded, single quotes raw, statements across lines', () => {
  const cfg = load(
    `${P}modparam(
    "proto_wss",
    "wss_resource", "/a\\"b")
modparam('proto_ws', 'ws_resource', '/x\\n')`.replace(P, `${P}loadmodule "proto_ws.so"\n`),
  );
  assert.equal(param(cfg, 'proto_wss', 'wss_resource')[0]?.value, '/a"b');
  assert.equal(param(cfg, 'proto_ws', 'ws_resource')[0]?.value, '/x\\n');
});

test('repeatable parameters keep every value in order; per-domain ones keep one per domain with the raw text', async () => {
  const pki = await testPki();
  const cfg = load(`${P}modparam("tls_mgm", "server_domain", "a")
modparam("tls_mgm", "server_domain", "b")
modparam("tls_mgm", "certificate", "[a]${pki.files.serverCert}")
modparam("tls_mgm", "certificate", "[b]${pki.files.clientCert}")
modparam("tls_mgm", "verify_cert", "[a]0")
modparam("tls_mgm", "verify_cert", "[b]1")
modparam("tls_mgm", "ca_dir", "[a]${pki.dir}")
modparam("tls_mgm", "match_sip_domain", "[a]*.example.com")`);
  assert.deepEqual(
    param(cfg, 'tls_mgm', 'server_domain').map((v) => [v.value, v.source.line]),
    [
      ['a', 3],
      ['b', 4],
    ],
  );
  assert.deepEqual(
    param(cfg, 'tls_mgm', 'certificate').map((v) => [v.value, v.domain]),
    [
      [`[a]${pki.files.serverCert}`, 'a'],
      [`[b]${pki.files.clientCert}`, 'b'],
    ],
  );
  assert.deepEqual(
    param(cfg, 'tls_mgm', 'verify_cert').map((v) => [v.value, v.raw, v.domain]),
    [
      ['[a]0', '[a]0', 'a'],
      ['[b]1', '[b]1', 'b'],
    ],
  );
  assert.equal(param(cfg, 'tls_mgm', 'ca_dir')[0]?.value, `[a]${pki.dir}`);
  assert.equal(param(cfg, 'tls_mgm', 'match_sip_domain')[0]?.value, '[a]*.example.com');
});

test('relative file paths resolve against the cfg file directory, wherever sipwss starts', async () => {
  const pki = await testPki();
  const dir = scratchDir();
  mkdirSync(join(dir, 'tls'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(dir, 'tls', 'cert.pem'), pki.server.cert);
  const path = writeCfg(
    dir,
    'sipwss.cfg',
    `${P}modparam("tls_mgm", "certificate", "[d]tls/cert.pem")\nmodparam("tls_mgm", "ca_dir", "tls")`,
  );
  const r = loadConfigFile(path, TEST_REGISTRY);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.equal(r.value.file, path);
  const cert = param(r.value, 'tls_mgm', 'certificate')[0];
  assert.equal(cert?.value, `[d]${join(dir, 'tls', 'cert.pem')}`);
  assert.equal(cert?.raw, '[d]tls/cert.pem');
  assert.equal(param(r.value, 'tls_mgm', 'ca_dir')[0]?.value, join(dir, 'tls'));

  // The same text read as if from elsewhere does not find the file, and says where it looked.
  const e = invalid(`${P}modparam("tls_mgm", "certificate", "[d]tls/cert.pem")`, '/srv/other/sipwss.cfg');
  assert.equal(
    e.errors[0]?.detail,
    'tls_mgm.certificate: file "tls/cert.pem" (/srv/other/tls/cert.pem: relative to the cfg file\'s directory) does not exist',
  );
});

test('a file parameter naming a directory, and a directory parameter naming a file, are refused', async () => {
  const pki = await testPki();
  const e = invalid(
    `${P}modparam("tls_mgm", "certificate", "${pki.dir}")\nmodparam("tls_mgm", "ca_dir", "${pki.files.ca}")`,
  );
  assert.deepEqual(where(e.errors), ['3:36 CONFIG_FILE_UNUSABLE', '4:31 CONFIG_FILE_UNUSABLE']);
  assert.match(e.errors[0]!.detail, /is not a file$/);
  assert.match(e.errors[1]!.detail, /is not a directory$/);
});

test('comments of every style around a complete config', () => {
  const cfg = load(`# OpenSIPS-style comment
// C++-style comment
/* block
   comment */
loadmodule "tls_mgm.so" # after a statement
loadmodule /* inside */ "proto_wss.so" // after
listen = wss:127.0.0.1:8443 /* before the next */ socket=wss:[::1]:8443 # end
modparam("proto_wss", /* between arguments */ "wss_port", 8443) // done
`);
  assert.deepEqual(
    cfg.listen.map((l) => `${l.keyword} ${l.host}:${l.port}`),
    ['listen 127.0.0.1:8443', 'socket ::1:8443'],
  );
  assert.equal(param(cfg, 'proto_wss', 'wss_port')[0]?.value, 8443);
});

test('built-in and compatibility modules load with a notice', () => {
  const cfg = load('loadmodule "registrar.so"\nloadmodule "tls_openssl.so"\nloadmodule "usrloc"');
  assert.deepEqual(
    cfg.notices.map((n) => [n.code, n.source.line]),
    [
      ['CONFIG_MODULE_BUILT_IN', 1],
      ['CONFIG_MODULE_BUILT_IN', 2],
      ['CONFIG_MODULE_BUILT_IN', 3],
    ],
  );
  assert.deepEqual([...cfg.modules.keys()], ['registrar', 'tls_openssl', 'usrloc']);
  assert.equal(cfg.modules.get('usrloc')?.params.size, 0);
});

test('the loaded config is frozen all the way down, maps included', () => {
  const cfg = load(`${P}listen=wss:1.2.3.4\nlog_level=1\nmodparam("proto_wss", "wss_port", 1)`);
  assert.ok(Object.isFrozen(cfg));
  assert.ok(
    Object.isFrozen(cfg.listen) && Object.isFrozen(cfg.listen[0]) && Object.isFrozen(cfg.listen[0]?.source),
  );
  assert.ok(Object.isFrozen(cfg.globals));
  assert.throws(() => {
    (cfg.globals as Record<string, number>).log_level = 4;
  }, TypeError);
  const mod = cfg.modules.get('proto_wss');
  assert.ok(mod && Object.isFrozen(mod) && Object.isFrozen(param(cfg, 'proto_wss', 'wss_port')));
  assert.equal((cfg.modules as unknown as { set?: unknown }).set, undefined);
  assert.equal((mod.params as unknown as { set?: unknown }).set, undefined);
  assert.deepEqual(mod.loadedAt, { file: '/nonexistent/test.cfg', line: 2, column: 12 });
});

test('an empty file loads to an empty config', () => {
  const cfg = load('');
  assert.deepEqual([cfg.listen, cfg.globals, cfg.modules.size, cfg.notices], [[], {}, 0, []]);
});

test('loadConfigFile: an unreadable path is a typed error, not an exception', () => {
  const r = loadConfigFile(join(scratchDir(), 'missing.cfg'), TEST_REGISTRY);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.error.errors[0]?.code, 'CONFIG_FILE_UNREADABLE');
    assert.match(r.error.errors[0]!.message, /missing\.cfg:1:1: cannot read: ENOENT$/);
  }
  const dir = loadConfigFile(scratchDir(), TEST_REGISTRY);
  assert.equal(!dir.ok && dir.error.errors[0]?.message.endsWith('cannot read: not a regular file'), true);
  const big = writeCfg(scratchDir(), 'big.cfg', '#'.repeat(MAX_CONFIG_BYTES + 1));
  const r2 = loadConfigFile(big, TEST_REGISTRY);
  assert.match(!r2.ok ? r2.error.errors[0]!.detail : '', /1048577 bytes is more than the 1048576/);
});

test('maxErrors narrows the cap', () => {
  const r = parseConfig('a=1\nb=2\nc=3', 'x.cfg', TEST_REGISTRY, { maxErrors: 2 });
  assert.equal(!r.ok && r.error.errors.length, 2);
  assert.equal(!r.ok && r.error.truncated, true);
});

test('the global lines of issue 4, as users write them', () => {
  const cfg = load(`${P}listen=wss:10.0.0.1
listen = wss:1.2.3.4:44344
socket=wss:127.0.0.1:8443
log_level=3
tcp_max_connections=4096
mpath=/path/to/modules
`);
  assert.deepEqual(
    cfg.listen.map((l) => [l.keyword, l.host, l.port]),
    [
      ['listen', '10.0.0.1', undefined],
      ['listen', '1.2.3.4', 44344],
      ['socket', '127.0.0.1', 8443],
    ],
  );
  assert.deepEqual(cfg.globals, { log_level: 3, tcp_max_connections: 4096 });
  assert.deepEqual(
    cfg.notices.map((n) => [n.code, n.source.line, n.message]),
    [['CONFIG_GLOBAL_IGNORED', 8, 'mpath ignored: sipwss has no module files to look for']],
  );
});
