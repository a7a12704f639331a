import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseVia, type Via } from '../../src/sip/index.js';

function via(s: string): Via {
  const r = parseVia(s);
  if (!r.ok) assert.fail(`${s}: ${r.error.message}`);
  return r.value;
}

test('WS and WSS transports with .invalid sent-by (RFC 7118 §5)', () => {
  const v = via('SIP/2.0/WSS l47dr3e4q36k.invalid;branch=z9hG4bK4155527');
  assert.equal(v.protocolName, 'SIP');
  assert.equal(v.protocolVersion, '2.0');
  assert.equal(v.transport, 'WSS');
  assert.equal(v.host, 'l47dr3e4q36k.invalid');
  assert.equal(v.port, undefined);
  assert.equal(v.branch, 'z9hG4bK4155527');
  assert.equal(v.rfc3261Branch, true);
  assert.equal(via('SIP/2.0/ws h.invalid').transport, 'WS');
});

test('sent-by with port, IPv6, and LWS inside sent-protocol', () => {
  const v = via('SIP / 2.0 / UDP  [2001:db8::9:1]:5060 ; branch = z9hG4bKx ; ttl=16');
  assert.equal(v.transport, 'UDP');
  assert.equal(v.host, '[2001:db8::9:1]');
  assert.equal(v.address, '2001:db8::9:1');
  assert.equal(v.port, 5060);
  assert.equal(v.branch, 'z9hG4bKx');
  assert.equal(v.params.get('ttl'), '16');
});

test('params: received, rport with and without value, maddr, alias', () => {
  const a = via('SIP/2.0/WSS x.invalid;rport;branch=z9hG4bK1;alias');
  assert.equal(a.hasRport, true);
  assert.equal(a.rport, undefined);
  assert.equal(a.alias, true);
  const b = via('SIP/2.0/WSS x.invalid;rport=53728;received=127.0.0.1;branch=z9hG4bK1;maddr=192.0.2.1');
  assert.equal(b.rport, 53728);
  assert.equal(b.received, '127.0.0.1');
  assert.equal(b.maddr, '192.0.2.1');
  // RFC 5118 §4.5: an IPv6 received, bracketed or not.
  assert.equal(via('SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255]').received, '[2001:db8::9:255]');
  assert.equal(via('SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255').received, '2001:db8::9:255');
});

test('toString keeps the sent-by exactly and renders params', () => {
  const v = via('SIP/2.0/WSS   Mixed.Case.invalid:0080;branch=z9hG4bK1');
  v.params.set('received', '192.0.2.1');
  assert.equal(v.toString(), 'SIP/2.0/WSS   Mixed.Case.invalid:0080;branch=z9hG4bK1;received=192.0.2.1');
});

test('malformed Via values are typed errors', () => {
  for (const bad of [
    '',
    'SIP/2.0',
    'SIP/2.0/UDP',
    'SIP/2.0/UDP ',
    'SIP 2.0/UDP h',
    'SIP/2.0/UDPh',
    'SIP/2.0/UDP h:99999',
    'SIP/2.0/UDP [::1',
    'SIP/2.0/UDP h;received=not an ip',
    'SIP/2.0/UDP h;rport=x',
    'SIP/2.0/UDP h;branch=',
    'SIP/2.0/UDP h junk',
  ]) {
    const r = parseVia(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) {
      assert.equal(r.error.code, 'SIP_BAD_VIA', bad);
      assert.equal(r.error.outcome.sip, 400);
    }
  }
});
