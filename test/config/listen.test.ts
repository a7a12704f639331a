import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from '../../src/config/index.js';
import { parseHostPort } from '../../src/config/listen.js';
import { load, oneError, WSS_PREAMBLE } from './helpers.js';
import { TEST_REGISTRY } from './specs.js';

const WS_BOTH = `${WSS_PREAMBLE}loadmodule "proto_ws.so"\n`;
const listenOf = (line: string) => load(`${WS_BOTH}${line}\n`).listen;

test('proto:host[:port] with IPv4, host names, interface names and *', () => {
  assert.deepEqual(
    listenOf('listen=wss:10.0.0.1 listen=ws:sip.example.com:8080 socket=wss:eth0:443 listen=ws:*').map(
      (l) => [l.keyword, l.proto, l.host, l.port],
    ),
    [
      ['listen', 'wss', '10.0.0.1', undefined],
      ['listen', 'ws', 'sip.example.com', 8080],
      ['socket', 'wss', 'eth0', 443],
      ['listen', 'ws', '*', undefined],
    ],
  );
});

test('IPv6 in brackets, with and without a port; the host is stored without brackets', () => {
  assert.deepEqual(
    listenOf('listen=wss:[::1] listen = wss:[2001:db8::10]:5061').map((l) => [l.host, l.port]),
    [
      ['::1', undefined],
      ['2001:db8::10', 5061],
    ],
  );
});

test('protocol names are case-insensitive, as in OpenSIPS', () => {
  assert.equal(listenOf('listen=WSS:1.2.3.4')[0]?.proto, 'wss');
});

test('"as host[:port]" sets the advertised address; AS in capitals too', () => {
  const [a, b] = listenOf('listen=wss:10.0.0.1:443 as 203.0.113.5:443\nlisten=ws:10.0.0.1 AS [2001:db8::1]');
  assert.deepEqual(a?.advertised, { host: '203.0.113.5', port: 443 });
  assert.deepEqual(b?.advertised, { host: '2001:db8::1', port: undefined });
});

test('the listen source points at the value', () => {
  const [l] = listenOf('  listen =  wss:1.2.3.4');
  assert.deepEqual(l?.source, { file: '/nonexistent/test.cfg', line: 4, column: 13 });
});

for (const [value, code, message] of [
  ['wss:[::1', 'CONFIG_BAD_LISTEN', 'missing "]" after the IPv6 address'],
  ['wss:::1', 'CONFIG_BAD_LISTEN', 'an IPv6 address needs brackets'],
  ['wss:[1.2.3.4]', 'CONFIG_BAD_LISTEN', '"1.2.3.4" is not an IPv6 address'],
  ['wss:1.2.3.400', 'CONFIG_BAD_LISTEN', '"1.2.3.400" is not an IPv4 address'],
  ['wss:bad_host!', 'CONFIG_BAD_LISTEN', '"bad_host!" is not a valid host name'],
  ['wss:1.2.3.4:70000', 'CONFIG_BAD_LISTEN', 'port 70000 is outside 0-65535'],
  ['wss:1.2.3.4:any', 'CONFIG_BAD_LISTEN', 'port "any" is not supported'],
  ['wss:1.2.3.4:x', 'CONFIG_BAD_LISTEN', '"x" is not a port number'],
  ['wss:', 'CONFIG_BAD_LISTEN', 'missing host'],
  ['1.2.3.4', 'CONFIG_BAD_LISTEN', 'has no protocol'],
  ['udp:1.2.3.4:5060', 'CONFIG_UNSUPPORTED', 'protocol "udp" is not served by sipwss (only ws and wss)'],
  ['tls:1.2.3.4', 'CONFIG_UNSUPPORTED', 'protocol "tls" is not served'],
  ['foo:1.2.3.4', 'CONFIG_BAD_LISTEN', 'unknown protocol "foo"'],
] as const) {
  test(`listen=${value} is refused: ${message}`, () => {
    const e = oneError(`${WS_BOTH}listen=${value}\n`);
    assert.equal(e.code, code);
    assert.equal(e.param, 'listen');
    assert.equal(e.source.line, 4);
    assert.equal(e.source.column, 8);
    assert.ok(e.message.startsWith('test.cfg:4:8: listen: '), e.message);
    assert.ok(e.message.includes(message), e.message);
  });
}

for (const [extra, why] of [
  ['use_workers 4', 'one process'],
  ['tag internal', 'routing scripts'],
  ['anycast', 'UDP'],
  ['frag', 'UDP'],
  ['reuse_port', 'SO_REUSEPORT'],
  ['use_auto_scaling_profile prof', 'auto-scaling'],
] as const) {
  test(`OpenSIPS socket extra "${extra}" is refused with the reason`, () => {
    const e = oneError(`${WS_BOTH}socket=wss:1.2.3.4:443 ${extra}\n`);
    assert.equal(e.code, 'CONFIG_UNSUPPORTED');
    assert.equal(e.source.column, 24);
    assert.ok(e.detail.includes(`"${extra.split(' ')[0]}" is refused`) && e.detail.includes(why), e.detail);
  });
}

test('bad advertised addresses', () => {
  assert.match(oneError(`${WS_BOTH}listen=wss:1.2.3.4 as *`).detail, /advertised address cannot be "\*"/);
  assert.match(oneError(`${WS_BOTH}listen=wss:1.2.3.4 as 1.2.3.4:99999`).detail, /port 99999/);
  assert.match(oneError(`${WS_BOTH}listen=wss:1.2.3.4 as 1.2.3.4:0`).detail, /advertised port cannot be 0/);
  // Port 0 on the socket itself binds a free port (the transport reports the real one).
  assert.equal(load(`${WS_BOTH}listen=wss:127.0.0.1:0`).listen[0]?.port, 0);
  assert.match(oneError(`${WS_BOTH}listen=wss:1.2.3.4 as 1.1.1.1 as 2.2.2.2`).detail, /"as" given twice/);
});

test('a listen loads its protocol module implicitly, with a notice', () => {
  const r = parseConfig(`${WSS_PREAMBLE}listen=ws:1.2.3.4`, 'test.cfg', TEST_REGISTRY);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.ok(r.value.modules.has('proto_ws'));
  assert.match(
    r.value.notices.find((n) => n.code === 'CONFIG_MODULE_IMPLICIT')?.message ?? '',
    /^proto_ws: loaded implicitly for listen=ws:/,
  );
});

test('parseHostPort alone', () => {
  assert.deepEqual(parseHostPort('example.com.'), { host: 'example.com.', port: undefined });
  assert.deepEqual(parseHostPort('[fe80::1]:5'), { host: 'fe80::1', port: 5 });
  assert.equal(typeof parseHostPort('[::1]x'), 'string');
  assert.equal(typeof parseHostPort('a:b:c'), 'string');
});
