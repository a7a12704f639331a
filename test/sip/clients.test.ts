/**
 * What JsSIP 3.13.8 and SIP.js 0.21.2 put on the wire (test/fixtures/wire): every message parses,
 * validates, answers, and shows the values a registrar/proxy relies on
 * (/work/shared/notes/clients-on-the-wire.md).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addReceived,
  contactExpires,
  contactInstance,
  contactRegId,
  createResponse,
  parseMessage,
  type SipMessage,
  SipUri,
  serialize,
  validateMessage,
} from '../../src/sip/index.js';
import { firstContact, wire, wireNames } from './fixtures.js';

function parsed(name: string): SipMessage {
  const r = parseMessage(wire(name));
  if (!r.ok) assert.fail(`${name}: ${r.error.message}`);
  return r.value;
}

test('every captured client message parses, validates, and round-trips', () => {
  for (const name of wireNames()) {
    const m = parsed(name);
    const v = validateMessage(m);
    assert.ok(v.ok, `${name}: ${v.ok ? '' : v.error.message}`);
    assert.ok(serialize(m).equals(wire(name)), name);
    if (m.isRequest && m.method !== 'ACK') assert.ok(createResponse(m, 200).ok, name);
  }
});

test('Via: WSS transport, .invalid sent-by, no rport, RFC 3261 branch (both libraries)', () => {
  for (const name of wireNames().filter((n) => !n.includes('-resp-'))) {
    const v = parsed(name).topVia();
    assert.ok(v.ok, name);
    assert.equal(v.value.transport, 'WSS', name);
    assert.ok(v.value.host.endsWith('.invalid'), name);
    assert.equal(v.value.port, undefined, name);
    assert.equal(v.value.hasRport, false, name);
    assert.equal(v.value.rfc3261Branch, true, name);
  }
});

test('JsSIP REGISTER: outbound Contact with +sip.instance, reg-id, expires; Expires header', () => {
  const m = parsed('jssip-node-REGISTER.sip');
  const contact = firstContact(m);
  assert.equal(contactInstance(contact), 'urn:uuid:461588c4-d431-45e3-8b72-c6226465b3d6');
  assert.equal(contactRegId(contact), 1);
  assert.equal(contactExpires(contact), 600);
  const u = contact.parsedUri();
  assert.ok(u.ok && u.value instanceof SipUri && u.value.transport === 'ws');
  const e = m.expires();
  assert.ok(e.ok && e.value === 600);
});

test('SIP.js REGISTER: no Expires header, expires on the Contact, CSeq starts at 2', () => {
  const m = parsed('sipjs-node-REGISTER.sip');
  assert.equal(m.has('expires'), false);
  const c = firstContact(m);
  assert.equal(contactExpires(c), 600);
  assert.equal(contactInstance(c), undefined);
  const cseq = m.cseq();
  assert.ok(cseq.ok && cseq.value.seq === 2);
  assert.deepEqual(m.supported(), ['outbound', 'path', 'gruu']);
});

test('INVITE with WebRTC SDP, 200 OK with Record-Route, in-dialog UPDATE/BYE with Route', () => {
  const inv = parsed('jssip-chromium-INVITE.sip');
  assert.equal(inv.get('session-expires'), '90');
  assert.ok(inv.body.toString('latin1').includes('a=fingerprint:sha-256'));
  const ok200 = parsed('jssip-chromium-resp-200-INVITE.sip');
  assert.equal(ok200.status, 200);
  const rr = ok200.recordRoutes();
  assert.ok(rr.ok && rr.value.length === 2);
  const vias = ok200.vias();
  assert.ok(vias.ok && vias.value[1]?.rport === 53728 && vias.value[1].received === '127.0.0.1');
  for (const name of ['jssip-chromium-UPDATE.sip', 'jssip-chromium-BYE.sip']) {
    const m = parsed(name);
    const routes = m.routes();
    assert.ok(routes.ok && routes.value.length === 2, name);
    const r0 = routes.value[0]?.parsedUri();
    assert.ok(r0?.ok && r0.value instanceof SipUri && r0.value.params.has('lr'), name);
    const to = m.to();
    assert.ok(to.ok && to.value.tag !== undefined, name);
  }
});

test('MESSAGE: body and Content-Type from both libraries', () => {
  for (const name of ['jssip-node-MESSAGE.sip', 'sipjs-node-MESSAGE.sip']) {
    const m = parsed(name);
    assert.equal(m.method, 'MESSAGE');
    const ct = m.contentType();
    assert.ok(ct.ok && ct.value?.type === 'text', name);
    const cl = m.contentLength();
    assert.ok(cl.ok && cl.value === m.body.length, name);
  }
});

test('CANCEL (captured from both libraries) matches its INVITE as RFC 3261 §9.1 requires', () => {
  for (const lib of ['jssip', 'sipjs']) {
    const inv = parsed(`${lib}-node-INVITE-cancelled.sip`);
    const cancel = parsed(`${lib}-node-CANCEL.sip`);
    assert.equal(cancel.method, 'CANCEL');
    assert.equal(cancel.requestUri, inv.requestUri, lib);
    const [iv, cv] = [inv.topVia(), cancel.topVia()];
    assert.ok(iv.ok && cv.ok && iv.value.branch === cv.value.branch, lib);
    const [ic, cc] = [inv.cseq(), cancel.cseq()];
    assert.ok(ic.ok && cc.ok && ic.value.seq === cc.value.seq && cc.value.method === 'CANCEL', lib);
    assert.equal(cancel.get('call-id'), inv.get('call-id'), lib);
    assert.equal(cancel.get('from'), inv.get('from'), lib);
    assert.equal(cancel.body.length, 0, lib);
    // The ACK to the 487 reuses the INVITE's branch (RFC 3261 §17.1.1.3).
    const ack = parsed(`${lib}-node-ACK-487.sip`);
    const av = ack.topVia();
    assert.ok(av.ok && av.value.branch === iv.value.branch, lib);
  }
});

test('a proxy step on each client request keeps the client Via intact', () => {
  for (const name of wireNames().filter((n) => !n.includes('-resp-'))) {
    const m = parsed(name);
    const before = m.topVia();
    assert.ok(before.ok);
    const r = addReceived(m, { address: '203.0.113.9', port: 40000 });
    assert.ok(r.ok, name);
    const again = parseMessage(serialize(m));
    assert.ok(again.ok, name);
    const after = again.value.topVia();
    assert.ok(after.ok);
    assert.equal(after.value.head, before.value.head, name);
    assert.equal(after.value.received, '203.0.113.9', name);
    assert.equal(after.value.branch, before.value.branch, name);
  }
});
