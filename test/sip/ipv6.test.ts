/** RFC 5118 (SIP torture tests for IPv6), §4.1–§4.5: IPv6 references in R-URI, Via, Contact. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addReceived, parseMessage, SipUri, serialize, validateMessage } from '../../src/sip/index.js';
import { firstContact, msg } from './fixtures.js';

const REST = [
  'To: sip:user@example.com',
  'From: sip:user@example.com;tag=81x2',
  'Call-ID: SSG9559905523997077@hlau_4100',
  'Max-Forwards: 70',
  'Contact: "Caller" <sip:caller@[2001:db8::1]>',
  'CSeq: 98176 REGISTER',
  'Content-Length: 0',
];

function parsed(lines: string[]) {
  const r = parseMessage(msg(lines));
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
}

test('§4.1 valid IPv6 references in Request-URI, Via and Contact', () => {
  const m = parsed([
    'REGISTER sip:[2001:db8::10] SIP/2.0',
    'Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111',
    ...REST,
  ]);
  assert.ok(validateMessage(m).ok);
  const u = m.uri();
  assert.ok(
    u.ok && u.value instanceof SipUri && u.value.address === '2001:db8::10' && u.value.hostType === 'ipv6',
  );
  const v = m.topVia();
  assert.ok(v.ok && v.value.host === '[2001:db8::9:1]' && v.value.address === '2001:db8::9:1');
  const c = firstContact(m).parsedUri();
  assert.ok(c.ok && c.value instanceof SipUri && c.value.host === '[2001:db8::1]');
});

test('§4.2 an IPv6 Request-URI without brackets → 400', () => {
  const m = parsed([
    'REGISTER sip:2001:db8::10 SIP/2.0',
    'Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111',
    ...REST,
  ]);
  const v = validateMessage(m);
  assert.ok(!v.ok && v.error.outcome.sip === 400);
});

test('§4.3 and §4.4: the port goes outside the brackets', () => {
  const inside = parsed([
    'REGISTER sip:[2001:db8::10:5070] SIP/2.0',
    'Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111',
    ...REST,
  ]);
  const a = inside.uri();
  assert.ok(
    a.ok &&
      a.value instanceof SipUri &&
      a.value.port === undefined &&
      a.value.address === '2001:db8::10:5070',
  );
  const outside = parsed([
    'REGISTER sip:[2001:db8::10]:5070 SIP/2.0',
    'Via: SIP/2.0/UDP [2001:db8::9:1];branch=z9hG4bKas3-111',
    ...REST,
  ]);
  const b = outside.uri();
  assert.ok(b.ok && b.value instanceof SipUri && b.value.port === 5070);
});

test('§4.5 received with an IPv6 address, bracketed or not, is accepted; ours is bracketed', () => {
  for (const received of ['[2001:db8::9:255]', '2001:db8::9:255']) {
    const m = parsed([
      'BYE sip:[2001:db8::10] SIP/2.0',
      `Via: SIP/2.0/UDP [2001:db8::9:1];received=${received};branch=z9hG4bKas3-111`,
      ...REST.map((l) => (l.startsWith('CSeq') ? 'CSeq: 321 BYE' : l)),
    ]);
    assert.ok(validateMessage(m).ok, received);
    const v = m.topVia();
    assert.ok(v.ok && v.value.received === received);
  }
  const m = parsed([
    'OPTIONS sip:[2001:db8::10] SIP/2.0',
    'Via: SIP/2.0/WSS [2001:db8::9:1]:443;branch=z9hG4bK1',
    ...REST.map((l) => (l.startsWith('CSeq') ? 'CSeq: 1 OPTIONS' : l)),
  ]);
  assert.ok(addReceived(m, { address: '2001:db8::9:255', port: 50123 }, { forceRport: true }).ok);
  const out = serialize(m).toString('latin1');
  assert.ok(
    out.includes(
      'Via: SIP/2.0/WSS [2001:db8::9:1]:443;branch=z9hG4bK1;rport=50123;received=[2001:db8::9:255]\r\n',
    ),
    out,
  );
});
