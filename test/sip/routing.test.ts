import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addReceived,
  decrementMaxForwards,
  parseMessage,
  popRoute,
  popVia,
  prependPath,
  prependRecordRoute,
  pushVia,
  type SipMessage,
  serialize,
} from '../../src/sip/index.js';
import { BASIC, msg, wire } from './fixtures.js';

function parsed(buf: Buffer): SipMessage {
  const r = parseMessage(buf);
  if (!r.ok) assert.fail(r.error.message);
  return r.value;
}

function reparsed(m: SipMessage): SipMessage {
  return parsed(serialize(m));
}

test('addReceived on a JsSIP Via: received added, sent-by untouched (RFC 3261 §18.2.1)', () => {
  const m = parsed(wire('jssip-node-REGISTER.sip'));
  const r = addReceived(m, { address: '192.0.2.10', port: 53728 });
  assert.ok(r.ok);
  const out = serialize(m).toString('latin1');
  assert.ok(
    out.includes('\r\nVia: SIP/2.0/WSS k0eiuqlo5c47.invalid;branch=z9hG4bK9635404;received=192.0.2.10\r\n'),
    out,
  );
  const top = reparsed(m).topVia();
  assert.ok(top.ok && top.value.received === '192.0.2.10' && !top.value.hasRport);
});

test('rport without value is filled, received always added (RFC 3581 §4)', () => {
  const m = parsed(
    msg([
      'OPTIONS sip:b@x SIP/2.0',
      'Via: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK1',
      ...BASIC.slice(2),
    ]),
  );
  const r = addReceived(m, { address: '192.0.2.10', port: 61000 });
  assert.ok(r.ok);
  assert.equal(r.value.rport, 61000);
  assert.equal(r.value.received, '192.0.2.10');
  assert.equal(r.value.head, 'SIP/2.0/UDP 192.0.2.10:5060');
  // forceRport adds rport when the client did not ask.
  const m2 = parsed(msg(BASIC));
  const r2 = addReceived(m2, { address: '198.51.100.1', port: 443 }, { forceRport: true });
  assert.ok(r2.ok && r2.value.rport === 443);
});

test('IPv6 source: received in brackets (RFC 5118 §4.5), sent-by unchanged', () => {
  const m = parsed(
    msg([
      'OPTIONS sip:b@x SIP/2.0',
      'Via: SIP/2.0/WSS [2001:db8::1]:443;branch=z9hG4bK1;rport',
      ...BASIC.slice(2),
    ]),
  );
  const r = addReceived(m, { address: '2001:db8::99', port: 50000 });
  assert.ok(r.ok);
  const top = reparsed(m).topVia();
  assert.ok(top.ok);
  assert.equal(top.value.received, '[2001:db8::99]');
  assert.equal(top.value.rport, 50000);
  assert.equal(top.value.host, '[2001:db8::1]');
  assert.equal(top.value.port, 443);
});

test('addReceived on a multi-value Via line changes only the first value', () => {
  const m = parsed(
    msg([
      'OPTIONS sip:b@x SIP/2.0',
      'Via: SIP/2.0/WS a.invalid;branch=z9hG4bK1, SIP/2.0/UDP p;branch=z9hG4bK0',
      ...BASIC.slice(2),
    ]),
  );
  assert.ok(addReceived(m, { address: '192.0.2.1', port: 1 }).ok);
  const vias = reparsed(m).vias();
  assert.ok(vias.ok);
  assert.deepEqual(
    vias.value.map((v) => v.toString()),
    ['SIP/2.0/WS a.invalid;branch=z9hG4bK1;received=192.0.2.1', 'SIP/2.0/UDP p;branch=z9hG4bK0'],
  );
});

test('push and pop Via', () => {
  const m = parsed(msg(BASIC));
  pushVia(m, 'SIP/2.0/WSS proxy.example.com;branch=z9hG4bKproxy1');
  let vias = reparsed(m).vias();
  assert.ok(vias.ok);
  assert.deepEqual(
    vias.value.map((v) => v.host),
    ['proxy.example.com', 'abc.invalid'],
  );
  const popped = popVia(m);
  assert.ok(popped.ok && popped.value?.branch === 'z9hG4bKproxy1');
  vias = reparsed(m).vias();
  assert.ok(vias.ok && vias.value.length === 1);
  // Popping from a comma list rewrites that line with the rest.
  const m2 = parsed(
    msg([
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/WSS p;branch=z9hG4bK2, SIP/2.0/WSS c.invalid;branch=z9hG4bK1',
      ...BASIC.slice(2),
    ]),
  );
  const p2 = popVia(m2);
  assert.ok(p2.ok && p2.value?.host === 'p');
  const rest = reparsed(m2).vias();
  assert.ok(rest.ok && rest.value.length === 1 && rest.value[0]?.host === 'c.invalid');
});

test('prepend Record-Route and Path; pop Route', () => {
  const m = parsed(wire('jssip-chromium-resp-200-INVITE.sip'));
  prependRecordRoute(m, '<sip:198.51.100.1;transport=ws;lr>');
  const rr = reparsed(m).recordRoutes();
  assert.ok(rr.ok);
  assert.equal(rr.value.length, 3);
  assert.equal(rr.value[0]?.uri, 'sip:198.51.100.1;transport=ws;lr');

  const reg = parsed(wire('jssip-node-REGISTER.sip'));
  prependPath(reg, '<sip:edge.example.com;lr;ob>');
  prependPath(reg, '<sip:outer.example.com;lr>');
  const paths = reparsed(reg).paths();
  assert.ok(paths.ok);
  assert.deepEqual(
    paths.value.map((p) => p.uri),
    ['sip:outer.example.com;lr', 'sip:edge.example.com;lr;ob'],
  );

  const bye = parsed(wire('jssip-chromium-BYE.sip'));
  const before = bye.routes();
  assert.ok(before.ok && before.value.length === 2);
  const top = popRoute(bye);
  assert.ok(top.ok && top.value !== undefined);
  const after = reparsed(bye).routes();
  assert.ok(after.ok && after.value.length === 1);
  const none = popRoute(parsed(msg(BASIC)));
  assert.ok(none.ok && none.value === undefined);
});

test('Max-Forwards decrements, is added when missing, and 0 fails (RFC 3261 §16.6)', () => {
  const m = parsed(msg(BASIC));
  const r = decrementMaxForwards(m);
  assert.ok(r.ok && r.value === 69);
  const none = parsed(msg(BASIC.filter((l) => !l.startsWith('Max-Forwards'))));
  const r2 = decrementMaxForwards(none);
  assert.ok(r2.ok && r2.value === 70);
  const zero = parsed(msg(BASIC.map((l) => (l.startsWith('Max-Forwards') ? 'Max-Forwards: 0' : l))));
  assert.equal(decrementMaxForwards(zero).ok, false);
});
