import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSipUri, parseUri, type SipUri, unescapeUri } from '../../src/sip/index.js';

function sip(s: string): SipUri {
  const r = parseSipUri(s);
  if (!r.ok) assert.fail(`${s}: ${r.error.message}`);
  return r.value;
}

test('SIP URI components: user, password, host, port, params, headers', () => {
  const u = sip(
    'sips:alice:secret@Example.COM:5061;transport=ws;lr;maddr=239.255.255.1?subject=hi&priority=urgent',
  );
  assert.equal(u.scheme, 'sips');
  assert.equal(u.user, 'alice');
  assert.equal(u.password, 'secret');
  assert.equal(u.host, 'Example.COM');
  assert.equal(u.address, 'example.com');
  assert.equal(u.hostType, 'domain');
  assert.equal(u.port, 5061);
  assert.equal(u.transport, 'ws');
  assert.equal(u.params.has('lr'), true);
  assert.equal(u.params.get('lr'), '');
  assert.equal(u.params.get('maddr'), '239.255.255.1');
  assert.equal(u.headers, 'subject=hi&priority=urgent');
  assert.equal(
    u.toString(),
    'sips:alice:secret@Example.COM:5061;transport=ws;lr;maddr=239.255.255.1?subject=hi&priority=urgent',
  );
});

test('IPv6 references in brackets, with and without port', () => {
  const a = sip('sip:[2001:db8::10]:5070;transport=ws');
  assert.equal(a.host, '[2001:db8::10]');
  assert.equal(a.hostType, 'ipv6');
  assert.equal(a.address, '2001:db8::10');
  assert.equal(a.port, 5070);
  const b = sip('sip:bob@[::ffff:192.0.2.1]');
  assert.equal(b.port, undefined);
  assert.equal(b.hostType, 'ipv6');
  // RFC 5118 §4.2: an IPv6 address without brackets is not a valid host.
  assert.equal(parseUri('sip:2001:db8::10').ok, false);
  assert.equal(parseUri('sip:[2001:db8:::10]').ok, false);
});

test('.invalid hosts and IPv4', () => {
  const u = sip('sip:2dbbteav@k0eiuqlo5c47.invalid;transport=ws');
  assert.equal(u.host, 'k0eiuqlo5c47.invalid');
  assert.equal(u.hostType, 'domain');
  assert.equal(sip('sip:127.0.0.1:8443').hostType, 'ipv4');
  assert.equal(parseUri('sip:300.1.1.1').ok, false);
});

test('user parts may hold ; ? / and escapes (RFC 4475 §3.1.1.9, §3.1.1.3)', () => {
  const u = sip('sip:user;par=u%40example.net@example.com');
  assert.equal(u.user, 'user;par=u%40example.net');
  assert.equal(u.host, 'example.com');
  assert.equal(u.params.size, 0);
  assert.equal(unescapeUri(sip('sip:%75se%72@example.com').user ?? ''), 'user');
  assert.equal(parseUri('sip:bad%zzuser@example.com').ok, false);
});

test('tel URIs and other schemes', () => {
  const t = parseUri('tel:+1-201-555-0123;phone-context=example.com');
  assert.ok(t.ok && t.value.kind === 'tel');
  if (t.ok && t.value.kind === 'tel') {
    assert.equal(t.value.number, '+1-201-555-0123');
    assert.equal(t.value.params.get('phone-context'), 'example.com');
  }
  const o = parseUri('http://www.example.com/x');
  assert.ok(o.ok && o.value.kind === 'other' && o.value.scheme === 'http');
  const s = parseSipUri('tel:+1234');
  assert.ok(!s.ok && s.error.code === 'SIP_UNSUPPORTED_URI_SCHEME' && s.error.outcome.sip === 416);
});

test('malformed URIs are typed errors, never throws', () => {
  for (const bad of [
    '',
    'sip',
    ':x',
    'sip:',
    'sip:user@',
    'sip:a b@c',
    'sip:host:99999',
    'sip:host:x',
    'sip:[::1',
    'sip:@host',
    '1sip:x',
  ]) {
    const r = parseUri(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.equal(r.error.outcome.sip, 400, bad);
  }
});

test('IPv4 hosts: four octets of 1-3 digits, each at most 255', async () => {
  const { validIpv4, validHost } = await import('../../src/sip/uri.js');
  for (const good of ['0.0.0.0', '127.0.0.1', '255.255.255.255', '10.0.0.01']) {
    assert.equal(validIpv4(good), true, good);
    assert.equal(validHost(good), true, good);
  }
  for (const bad of [
    '',
    '1.2.3',
    '1.2.3.4.5',
    '256.1.1.1',
    '1..2.3',
    '1.2.3.',
    '.1.2.3',
    '1234.1.1.1',
    'a.b.c.d',
  ]) {
    assert.equal(validIpv4(bad), false, bad);
  }
  assert.equal(validHost('1.2.3'), false, 'all digits and dots, but not an IPv4 address');
  assert.equal(validHost('[::ffff:1.2.3.4]'), true);
  assert.equal(validHost('[::ffff:1.2.3.400]'), false);
});

test('the in-place SIP URI reader agrees with the general checks (scheme case, host, escapes at the end)', () => {
  // Upper-case schemes go the general way; the result is the same URI.
  assert.equal(sip('SIP:alice@example.com').scheme, 'sip');
  assert.equal(sip('Sips:alice@example.com').scheme, 'sips');
  assert.equal(sip('sip:alice@127.0.0.1').hostType, 'ipv4');
  assert.equal(sip('sip:127.0.0.1:5060;lr').hostType, 'ipv4');
  assert.equal(sip('sip:x.invalid;transport=ws').hostType, 'domain');
  assert.equal(sip('sip:a@b;x=%41?h=1').params.get('x'), '%41');
  for (const bad of [
    'sip:',
    'sip:alice@',
    'sip:alice@1.2.3',
    'sip:alice@exa mple.com',
    'sip:alice@example.com;x=%4?h=1',
    'sip:alice@example.com;x=%4',
    'sip:alice@example.com;=x',
    'sip:alice@example.com;a;=x',
    'sip:alice@example.comjunk>',
    'sip:alice@[::1',
    'sip:alice@example.com:99999',
  ]) {
    assert.equal(parseUri(bad).ok, false, bad);
  }
});

test('a URI host of digits and dots is checked as validHost checks it', async () => {
  const { validHost } = await import('../../src/sip/uri.js');
  for (const h of [
    '1.2.3.4',
    '255.255.255.255',
    '01.02.003.4',
    '256.1.1.1',
    '1.2.3.256',
    '1234.1.1.1',
    '0001.1.1.1',
    '1.2.3',
    '1.2.3.4.5',
    '1..2.3',
    '.1.2.3',
    '1.2.3.',
    '9',
    '',
    '1.2.3.4a',
    'a1.2.3.4',
  ]) {
    assert.equal(parseUri(`sip:alice@${h};lr`).ok, validHost(h), h);
    assert.equal(parseUri(`sip:${h}:5060`).ok, validHost(h), h);
  }
});

test('checkUri fails exactly where parseUri does, with the same error', async () => {
  const { checkUri } = await import('../../src/sip/uri.js');
  for (const s of [
    'sip:alice@127.0.0.1',
    'sips:alice:secret@Example.COM:5061;transport=ws;lr?subject=hi',
    'sip:2dbbteav@k0eiuqlo5c47.invalid;transport=ws',
    'sip:[::1]:5060',
    'tel:+1-201-555-0123',
    'urn:service:sos',
    'sip:',
    'sip:alice@',
    'sip:%4@host',
    'sip:a:%4@host',
    'sip:a@1.2.3',
    'sip:a@host:99999',
    'sip:a@host;x=%4?h=1',
    'sip:a@host;=x',
    'sip:a@host;a;=x',
    'sip:a@host;a;;b',
    'sip:a@host;',
    'sip:a@host?%4',
    'sip:a@host?a b',
    'sip:a@hostjunk>',
    'sip:a@[::1',
    'sip:a@001.2.3.4',
    'sip:a@1.2.3.256',
    'sip:a@1.2.3.4.5',
    'sip:a@host:65535',
    'sip:a@host:',
    'sip:a:@h',
    'sip:a@h;x=%41;y?%41=b',
    'sip:a@h;x=%4g',
    'sip:a;b?c/d@h',
    `sip:a@${'b'.repeat(300)}`,
  ]) {
    const parsed = parseUri(s);
    const checked = checkUri(s);
    assert.equal(checked.ok, parsed.ok, s);
    if (!checked.ok && !parsed.ok) assert.deepEqual(checked.error, parsed.error, s);
  }
});
