import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Binding } from '../../src/server/location/binding.js';
import {
  applyRegister,
  type RegisterInput,
  remainingSeconds,
} from '../../src/server/registrar/apply-register.js';
import { DEFAULT_REGISTRAR_POLICY } from '../../src/server/registrar/policy.js';

const NOW = 1_700_000_000_000;
const flowA = {
  node: 'n1',
  connectionId: 'c1',
  transport: 'WSS',
  remote: { address: '127.0.0.1', port: 4000 },
};
const flowB = {
  node: 'n1',
  connectionId: 'c2',
  transport: 'WSS',
  remote: { address: '127.0.0.1', port: 4001 },
};
const JSSIP_CONTACT = 'sip:2dbbteav@k0eiuqlo5c47.invalid;transport=ws';
const SIPJS_CONTACT = 'sip:q1w2e3r4@abcdef.invalid;transport=ws';

function reg(over: Partial<RegisterInput>): RegisterInput {
  return {
    aor: 'sip:alice@127.0.0.1',
    star: false,
    contacts: [],
    callId: 'call-1',
    cseq: 1,
    flow: flowA,
    now: NOW,
    ...over,
  };
}

function run(current: readonly Binding[], input: RegisterInput, policy = DEFAULT_REGISTRAR_POLICY) {
  return applyRegister(current, input, policy);
}

test('a JsSIP REGISTER (instance, reg-id, expires param) adds one outbound binding', () => {
  const { bindings, result } = run(
    [],
    reg({
      contacts: [{ uri: JSSIP_CONTACT, expires: 600, instance: 'urn:uuid:461588c4', regId: 1 }],
      expiresHeader: 600,
      userAgent: 'JsSIP 3.13.8',
    }),
  );
  assert.equal(result.status, 200);
  assert.equal(bindings.length, 1);
  const b = bindings[0] as Binding;
  assert.equal(b.contact, JSSIP_CONTACT);
  assert.equal(b.instance, 'urn:uuid:461588c4');
  assert.equal(b.regId, 1);
  assert.equal(b.flow.connectionId, 'c1');
  assert.equal(remainingSeconds(b, NOW), 600);
});

test('a SIP.js REGISTER (no Expires header, expires param only) uses the param; none at all uses default_expires', () => {
  const a = run([], reg({ contacts: [{ uri: SIPJS_CONTACT, expires: 600 }], cseq: 2 }));
  assert.equal(a.result.status, 200);
  assert.equal(remainingSeconds(a.bindings[0] as Binding, NOW), 600);
  const b = run([], reg({ contacts: [{ uri: SIPJS_CONTACT }] }), {
    ...DEFAULT_REGISTRAR_POLICY,
    default_expires: 1800,
  });
  assert.equal(remainingSeconds(b.bindings[0] as Binding, NOW), 1800);
});

test('too brief an expiry gets 423 with Min-Expires and changes nothing', () => {
  const existing = run([], reg({ contacts: [{ uri: SIPJS_CONTACT, expires: 600 }] })).bindings;
  const r = run(existing, reg({ contacts: [{ uri: 'sip:other@x.invalid', expires: 10 }], cseq: 2 }));
  assert.deepEqual(r.result, { status: 423, minExpires: 60 });
  assert.equal(r.bindings, existing);
});

test('a longer expiry than max_expires is shortened', () => {
  const r = run([], reg({ contacts: [{ uri: SIPJS_CONTACT, expires: 100_000 }] }));
  assert.equal(remainingSeconds(r.bindings[0] as Binding, NOW), 3600);
});

test('refresh with the same Call-ID needs a higher CSeq; a lower one fails with 500 and changes nothing', () => {
  const first = run([], reg({ contacts: [{ uri: SIPJS_CONTACT, expires: 600 }], cseq: 5 })).bindings;
  const later = run(
    first,
    reg({ contacts: [{ uri: SIPJS_CONTACT, expires: 300 }], cseq: 6, now: NOW + 1000 }),
  );
  assert.equal(later.result.status, 200);
  assert.equal(remainingSeconds(later.bindings[0] as Binding, NOW + 1000), 300);
  const stale = run(later.bindings, reg({ contacts: [{ uri: SIPJS_CONTACT, expires: 0 }], cseq: 6 }));
  assert.equal(stale.result.status, 500);
  assert.equal(stale.bindings, later.bindings);
  // Another Call-ID may change the binding whatever its CSeq (RFC 3261 §10.3 step 7).
  const other = run(
    later.bindings,
    reg({ contacts: [{ uri: SIPJS_CONTACT, expires: 0 }], callId: 'call-2', cseq: 1 }),
  );
  assert.equal(other.result.status, 200);
  assert.equal(other.bindings.length, 0);
});

test('RFC 5626: same instance and reg-id on a new flow replaces the old flow', () => {
  const first = run(
    [],
    reg({ contacts: [{ uri: JSSIP_CONTACT, expires: 600, instance: 'urn:uuid:1', regId: 1 }], cseq: 1 }),
  ).bindings;
  const failed = first.map((b) => ({ ...b, flowFailedAt: NOW + 1 }));
  const again = run(
    failed,
    reg({
      contacts: [{ uri: JSSIP_CONTACT, expires: 600, instance: 'urn:uuid:1', regId: 1 }],
      cseq: 2,
      flow: flowB,
      now: NOW + 2000,
    }),
  );
  assert.equal(again.result.status, 200);
  assert.equal(again.bindings.length, 1);
  assert.equal(again.bindings[0]?.flow.connectionId, 'c2');
  assert.equal(again.bindings[0]?.flowFailedAt, undefined);
  assert.equal(again.bindings[0]?.registeredAt, NOW);
  // Another reg-id of the same instance is another flow (RFC 5626 §4.2).
  const second = run(
    again.bindings,
    reg({ contacts: [{ uri: JSSIP_CONTACT, expires: 600, instance: 'urn:uuid:1', regId: 2 }], cseq: 3 }),
  );
  assert.equal(second.bindings.length, 2);
});

test('Contact: * with Expires: 0 removes all; without Expires 0 or with other contacts it is a 400', () => {
  const two = run(
    [],
    reg({
      contacts: [
        { uri: 'sip:a@x.invalid', expires: 600 },
        { uri: 'sip:b@y.invalid', expires: 600 },
      ],
    }),
  ).bindings;
  assert.equal(two.length, 2);
  const cleared = run(two, reg({ star: true, expiresHeader: 0, cseq: 2 }));
  assert.deepEqual(cleared.result, { status: 200, bindings: [] });
  assert.equal(cleared.bindings.length, 0);
  assert.equal(run(two, reg({ star: true, cseq: 2 })).result.status, 400);
  assert.equal(
    run(two, reg({ star: true, expiresHeader: 0, cseq: 2, contacts: [{ uri: 'sip:c@z' }] })).result.status,
    400,
  );
  assert.equal(run(two, reg({ star: true, expiresHeader: 0, cseq: 1 })).result.status, 500);
});

test('un-REGISTER with expires=0 removes only that contact; the 200 lists the rest', () => {
  const two = run(
    [],
    reg({
      contacts: [
        { uri: 'sip:a@x.invalid', expires: 600 },
        { uri: 'sip:b@y.invalid', expires: 600 },
      ],
    }),
  ).bindings;
  const r = run(two, reg({ contacts: [{ uri: 'sip:a@x.invalid', expires: 0 }], cseq: 2 }));
  assert.equal(r.result.status, 200);
  assert.deepEqual(
    r.bindings.map((b) => b.contact),
    ['sip:b@y.invalid'],
  );
  if (r.result.status === 200) assert.equal(r.result.bindings.length, 1);
});

test('max_contacts: past the limit is 503 and nothing changes', () => {
  const policy = { ...DEFAULT_REGISTRAR_POLICY, max_contacts: 1 };
  const one = run([], reg({ contacts: [{ uri: 'sip:a@x.invalid', expires: 600 }] }), policy).bindings;
  const r = run(one, reg({ contacts: [{ uri: 'sip:b@x.invalid', expires: 600 }], callId: 'other' }), policy);
  assert.equal(r.result.status, 503);
  assert.equal(r.bindings, one);
});

test('by default an AoR holds at most 16 bindings: one request is never forked to thousands', () => {
  assert.equal(DEFAULT_REGISTRAR_POLICY.max_contacts, 16);
  const contacts = (n: number, from = 0) =>
    Array.from({ length: n }, (_, i) => ({ uri: `sip:d${from + i}@x.invalid`, expires: 600 }));
  const sixteen = run([], reg({ contacts: contacts(16) }));
  assert.equal(sixteen.result.status, 200);
  assert.equal(sixteen.bindings.length, 16);
  const more = run(sixteen.bindings, reg({ contacts: contacts(1, 16), callId: 'another device' }));
  assert.equal(more.result.status, 503);
  assert.equal(more.bindings, sixteen.bindings);
});

test('past max_contacts, bindings on failed flows make room (first failed first) before a 503', () => {
  const policy = { ...DEFAULT_REGISTRAR_POLICY, max_contacts: 2 };
  const two = run(
    [],
    reg({
      contacts: [
        { uri: 'sip:old1@x.invalid', expires: 600 },
        { uri: 'sip:old2@x.invalid', expires: 600 },
      ],
    }),
    policy,
  ).bindings;
  // Both tabs were closed: their flows failed, the second one first.
  const dead = two.map((b, i) => ({ ...b, flowFailedAt: NOW + 10 - i }));
  const fresh = run(
    dead,
    reg({ contacts: [{ uri: 'sip:new@x.invalid', expires: 600 }], callId: 'reloaded' }),
    policy,
  );
  assert.equal(fresh.result.status, 200);
  assert.deepEqual(
    fresh.bindings.map((b) => b.contact),
    ['sip:old1@x.invalid', 'sip:new@x.invalid'],
  );
  // Live bindings are never dropped to make room.
  const live = run(
    two,
    reg({ contacts: [{ uri: 'sip:third@x.invalid', expires: 600 }], callId: 'third' }),
    policy,
  );
  assert.equal(live.result.status, 503);
});

test('a query REGISTER (no Contact) lists the current bindings and changes nothing', () => {
  const one = run([], reg({ contacts: [{ uri: 'sip:a@x.invalid', expires: 600 }] })).bindings;
  const q = run(one, reg({ cseq: 2 }));
  assert.equal(q.result.status, 200);
  assert.deepEqual(q.bindings, one);
});
