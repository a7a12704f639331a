/** Each kind of mistake: its code, its file:line:column, the parameter, and a message that says what to do. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONFIG_ERROR_CODES, ConfigError, ConfigInvalidError, parseConfig } from '../../src/config/index.js';
import { SipwssError } from '../../src/errors.js';
import { invalid, oneError, WSS_PREAMBLE, where } from './helpers.js';
import { TEST_REGISTRY } from './specs.js';

const P = WSS_PREAMBLE; // 2 lines

function check(text: string, code: string, at: string, param: string | undefined, message: string): void {
  const e = oneError(text);
  assert.equal(e.code, code, e.message);
  assert.equal(`${e.source.line}:${e.source.column}`, at, e.message);
  assert.equal(e.param, param);
  assert.equal(e.message, `test.cfg:${at}: ${message}`);
}

test('unknown module in loadmodule, with a path: the base name is reported', () => {
  check(
    'loadmodule "/usr/lib/opensips/modules/sl.so"',
    'CONFIG_UNKNOWN_MODULE',
    '1:12',
    undefined,
    'loadmodule: unknown module "sl"; sipwss knows: proto_ws, proto_wss, tls_mgm, tls_openssl, tls_wolfssl, ' +
      'registrar, usrloc, auth, auth_db, tm, rr',
  );
  assert.match(
    oneError('loadmodule "proto_ws5.so"').detail,
    /did you mean "proto_wss" or "proto_ws"\?|did you mean/,
  );
});

test('unknown module in modparam', () => {
  check(
    `${P}modparam("proto_udp", "udp_workers", 4)`,
    'CONFIG_UNKNOWN_MODULE',
    '3:10',
    'proto_udp.udp_workers',
    'modparam: unknown module "proto_udp" (did you mean "proto_ws" or "proto_wss"?)',
  );
});

test('modparam before its loadmodule line: built-in modules load in any order', () => {
  const r = parseConfig(
    'modparam("proto_wss", "wss_port", 443)\nloadmodule "tls_mgm.so"\nloadmodule "proto_wss.so"',
    'test.cfg',
    TEST_REGISTRY,
  );
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.equal(r.value.modules.get('proto_wss')?.params.get('wss_port')?.[0]?.value, 443);
  assert.equal(r.value.notices.filter((n) => n.code === 'CONFIG_MODULE_IMPLICIT').length, 0);
});

test('module name patterns (OpenSIPS modparam regexes) are refused', () => {
  check(
    `${P}modparam("proto_ws|proto_wss", "require_origin", 1)`,
    'CONFIG_UNSUPPORTED',
    '3:10',
    'proto_ws|proto_wss.require_origin',
    'modparam: module name patterns ("proto_ws|proto_wss") are not supported: write one modparam per module',
  );
});

test('unknown parameter, with a suggestion', () => {
  check(
    `${P}modparam("proto_wss", "wss_handshake_timeot", 300)`,
    'CONFIG_UNKNOWN_PARAM',
    '3:23',
    'proto_wss.wss_handshake_timeot',
    'modparam: module proto_wss has no parameter "wss_handshake_timeot" (did you mean "wss_handshake_timeout"?)',
  );
});

test('a known module without a parameter table takes no modparam', () => {
  check(
    'loadmodule "registrar.so"\nmodparam("registrar", "max_contacts", 1)',
    'CONFIG_UNKNOWN_PARAM',
    '2:23',
    'registrar.max_contacts',
    'modparam: module registrar has no parameters in sipwss (built into the sipwss server): remove the line',
  );
});

test('unknown global', () => {
  check(
    'tcp_max_conections=10',
    'CONFIG_UNKNOWN_GLOBAL',
    '1:1',
    'tcp_max_conections',
    'unknown global parameter "tcp_max_conections" (did you mean "tcp_max_connections"?)',
  );
  assert.equal(oneError('children=4').detail, 'unknown global parameter "children"');
});

test('wrong type: a string for an integer, an integer for a string, a word for an integer', () => {
  check(
    `${P}modparam("proto_wss", "wss_port", "443")`,
    'CONFIG_WRONG_TYPE',
    '3:35',
    'proto_wss.wss_port',
    'proto_wss.wss_port: expects an integer, found the string "443" (remove the quotes)',
  );
  check(
    `${P}modparam("proto_wss", "wss_resource", 5)`,
    'CONFIG_WRONG_TYPE',
    '3:39',
    'proto_wss.wss_resource',
    'proto_wss.wss_resource: expects a quoted string, found the integer 5',
  );
  check(
    'log_level=high',
    'CONFIG_WRONG_TYPE',
    '1:11',
    'log_level',
    'log_level: expects an integer, found "high"',
  );
  check(
    'log_level=1.5',
    'CONFIG_WRONG_TYPE',
    '1:11',
    'log_level',
    'log_level: expects an integer, found "1.5"',
  );
  check(
    `${P}modparam("tls_mgm", "verify_cert", 1)`,
    'CONFIG_WRONG_TYPE',
    '3:36',
    'tls_mgm.verify_cert',
    'tls_mgm.verify_cert: expects a quoted string ("[domain]value" or "value"), found the integer 1',
  );
});

test('out of range: bounds, flags, per-domain flags', () => {
  check(
    `${P}modparam("proto_wss", "wss_port", 70000)`,
    'CONFIG_OUT_OF_RANGE',
    '3:35',
    'proto_wss.wss_port',
    'proto_wss.wss_port: 70000 is out of range 1..65535',
  );
  check(
    'tcp_connection_lifetime=0',
    'CONFIG_OUT_OF_RANGE',
    '1:25',
    'tcp_connection_lifetime',
    'tcp_connection_lifetime: 0 s is out of range 1..86400 s',
  );
  check(
    `${P}modparam("proto_wss", "require_origin", 2)`,
    'CONFIG_OUT_OF_RANGE',
    '3:41',
    'proto_wss.require_origin',
    'proto_wss.require_origin: is a flag: 0 or 1, found the integer 2',
  );
  check(
    `${P}modparam("tls_mgm", "require_cert", "[dom]yes")`,
    'CONFIG_OUT_OF_RANGE',
    '3:37',
    'tls_mgm.require_cert',
    'tls_mgm.require_cert: "[dom]yes": the value after the domain must be 0 or 1',
  );
  // Without bounds in the spec, integers are C ints as in OpenSIPS.
  assert.equal(oneError(`${P}modparam("proto_wss", "wss_resource", 1)`).code, 'CONFIG_WRONG_TYPE');
});

test('bad [domain] prefixes', () => {
  check(
    `${P}modparam("tls_mgm", "tls_method", "[dom TLSv1_2")`,
    'CONFIG_BAD_VALUE',
    '3:35',
    'tls_mgm.tls_method',
    'tls_mgm.tls_method: "[dom TLSv1_2": "[" without "]" in the [domain] prefix',
  );
  assert.match(oneError(`${P}modparam("tls_mgm", "tls_method", "[]TLSv1")`).detail, /empty \[domain\] name/);
  assert.match(oneError(`${P}modparam("tls_mgm", "certificate", "[d]")`).detail, /empty file path/);
});

test('missing file: the [domain] prefix is stripped first and the path is said', () => {
  check(
    `${P}modparam("tls_mgm", "certificate", "[dom1]/certs/a.pem")`,
    'CONFIG_FILE_MISSING',
    '3:36',
    'tls_mgm.certificate',
    'tls_mgm.certificate: file "/certs/a.pem" does not exist',
  );
});

test('duplicates are errors naming both places', () => {
  check(
    `${P}modparam("proto_wss", "wss_port", 443)\nmodparam("proto_wss", "wss_port", 8443)`,
    'CONFIG_DUPLICATE',
    '4:35',
    'proto_wss.wss_port',
    'proto_wss.wss_port: set twice, first at test.cfg:3:35 (OpenSIPS would keep the last one silently; remove one of them)',
  );
  check(
    'log_level=1\nlog_level=2',
    'CONFIG_DUPLICATE',
    '2:11',
    'log_level',
    'log_level: set twice, first at test.cfg:1:11 (OpenSIPS would keep the last one silently; remove one of them)',
  );
  assert.match(
    oneError(
      `${P}modparam("tls_mgm", "tls_method", "[a]TLSv1_2")\nmodparam("tls_mgm", "tls_method", "[a]TLSv1_3")`,
    ).detail,
    /set twice for domain \[a\], first at test.cfg:3:35/,
  );
  assert.match(
    oneError(`${P}modparam("tls_mgm", "tls_method", "TLSv1_2")\nmodparam("tls_mgm", "tls_method", "TLSv1_3")`)
      .detail,
    /set twice without a \[domain\] prefix/,
  );
  check(
    `${P}loadmodule "/opt/tls_mgm.so"`,
    'CONFIG_DUPLICATE',
    '3:12',
    undefined,
    'loadmodule: module tls_mgm already loaded at test.cfg:1:12',
  );
});

test('module dependencies: proto_wss loads tls_mgm implicitly, with a notice', () => {
  const r = parseConfig('loadmodule "proto_wss.so"', 'test.cfg', TEST_REGISTRY);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.ok(r.value.modules.has('tls_mgm'));
  assert.deepEqual(
    r.value.notices.filter((n) => n.code === 'CONFIG_MODULE_IMPLICIT').map((n) => n.message),
    [
      'tls_mgm: loaded implicitly for module proto_wss (built into sipwss; OpenSIPS would need loadmodule "tls_mgm.so" first)',
    ],
  );
});

test('route blocks of every kind are refused once each, body skipped', () => {
  const text = [
    'route {',
    '  if (is_method("REGISTER")) { save("location"); exit; }',
    '  $var(x) = "}"; # a brace in a string and one in a comment }',
    '}',
    'route[relay] { t_relay(); }',
    'onreply_route[1] {}',
    'failure_route[missed] { }',
    'branch_route[b]{}',
    'startup_route { }',
    'timer_route[gw_update, 300] { }',
    'event_route[E_CORE_THRESHOLD] { }',
    'error_route { }',
    'local_route { }',
    'log_level=9',
  ].join('\n');
  const e = invalid(text);
  assert.deepEqual(where(e.errors), [
    '1:1 CONFIG_ROUTE_BLOCK',
    '5:1 CONFIG_ROUTE_BLOCK',
    '6:1 CONFIG_ROUTE_BLOCK',
    '7:1 CONFIG_ROUTE_BLOCK',
    '8:1 CONFIG_ROUTE_BLOCK',
    '9:1 CONFIG_ROUTE_BLOCK',
    '10:1 CONFIG_ROUTE_BLOCK',
    '11:1 CONFIG_ROUTE_BLOCK',
    '12:1 CONFIG_ROUTE_BLOCK',
    '13:1 CONFIG_ROUTE_BLOCK',
    '14:11 CONFIG_OUT_OF_RANGE',
  ]);
  assert.equal(
    e.errors[1]!.message,
    'test.cfg:5:1: "route" blocks are not supported: sipwss routing is built in (registrar and proxy); remove the block',
  );
  assert.match(e.errors[5]!.detail, /^"startup_route" blocks/);
});

test('an unclosed route block is reported once and ends the file', () => {
  assert.deepEqual(where(invalid('route {\n if (a) {\n log_level=1').errors), [
    '1:1 CONFIG_ROUTE_BLOCK',
    '1:1 CONFIG_SYNTAX',
  ]);
});

test('syntax errors: modparam shape, loadmodule without quotes, stray tokens, include_file', () => {
  check(
    `${P}modparam("proto_wss", "wss_port" 443)`,
    'CONFIG_SYNTAX',
    '3:34',
    undefined,
    'modparam("module", "parameter", value): expected ",", found "443"',
  );
  check(
    `${P}modparam(proto_wss, "wss_port", 443)`,
    'CONFIG_SYNTAX',
    '3:10',
    undefined,
    'modparam("module", "parameter", value): the module name must be a quoted string, found "proto_wss"',
  );
  check(
    'loadmodule proto_wss.so',
    'CONFIG_SYNTAX',
    '1:12',
    undefined,
    'loadmodule needs a quoted module name, e.g. loadmodule "proto_wss.so"',
  );
  check(
    'log_level=1;',
    'CONFIG_SYNTAX',
    '1:12',
    undefined,
    'unexpected ";": expected name = value, loadmodule or modparam',
  );
  check(
    'include_file "more.cfg"',
    'CONFIG_UNSUPPORTED',
    '1:1',
    undefined,
    'include_file is not supported: put everything in one file',
  );
  check(
    'log_level=\nlog_level=1',
    'CONFIG_SYNTAX',
    '1:10',
    'log_level',
    'log_level: missing value after "="',
  );
});

test('all errors of a file come back at once, in file order, and the cap holds', () => {
  const text = ['foo=1', 'log_level="x"', 'loadmodule "nope.so"', 'listen=udp:1.2.3.4', 'bar=2'].join('\n');
  const e = invalid(text);
  assert.deepEqual(where(e.errors), [
    '1:1 CONFIG_UNKNOWN_GLOBAL',
    '2:11 CONFIG_WRONG_TYPE',
    '3:12 CONFIG_UNKNOWN_MODULE',
    '4:8 CONFIG_UNSUPPORTED',
    '5:1 CONFIG_UNKNOWN_GLOBAL',
  ]);
  assert.equal(e.truncated, false);
  assert.ok(e.message.startsWith('test.cfg: 5 errors\n  test.cfg:1:1: unknown global parameter "foo"\n'));

  const many = Array.from({ length: 80 }, (_, i) => `x${i}=1`).join('\n');
  const capped = invalid(many);
  assert.equal(capped.errors.length, 50);
  assert.equal(capped.truncated, true);
  assert.match(capped.message, /^test\.cfg: 50 errors \(stopped after 50\)/);
});

test('errors are typed: SipwssError subclasses with catalogued codes', () => {
  const e = invalid('foo=1');
  assert.ok(e instanceof ConfigInvalidError && e instanceof SipwssError);
  assert.equal(e.code, 'CONFIG_INVALID');
  assert.ok(e.errors[0] instanceof ConfigError && e.errors[0] instanceof SipwssError);
  assert.ok(e.errors[0]!.code in CONFIG_ERROR_CODES);
  assert.deepEqual(e.errors[0]!.outcome, {});
});
