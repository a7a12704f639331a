/**
 * The conformance suite every LocationStore backend must pass (style principle 11).
 * A backend's test file calls `locationStoreConformance('name', () => new Store(...))`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Binding } from '../../src/server/location/binding.js';
import type { LocationStore } from '../../src/server/location/store.js';

const T0 = 1_700_000_000_000;

export function binding(over: Partial<Binding> & { contact: string }): Binding {
  return {
    aor: 'sip:alice@example.com',
    callId: 'call-1',
    cseq: 1,
    expiresAt: T0 + 600_000,
    registeredAt: T0,
    flow: { node: 'n1', connectionId: 'c1', transport: 'WSS', remote: { address: '127.0.0.1', port: 40000 } },
    ...over,
  };
}

export function locationStoreConformance(name: string, make: () => LocationStore): void {
  describe(`LocationStore conformance: ${name}`, () => {
    test('an unknown AoR has no bindings', async () => {
      const s = make();
      assert.deepEqual(await s.lookup('sip:nobody@example.com', T0), []);
      await s.close();
    });

    test('update stores the computed bindings and resolves with the result', async () => {
      const s = make();
      const r = await s.update('sip:alice@example.com', T0, (cur) => {
        assert.equal(cur.length, 0);
        return { bindings: [binding({ contact: 'sip:a@x.invalid;transport=ws' })], result: 'added' };
      });
      assert.equal(r, 'added');
      const got = await s.lookup('sip:alice@example.com', T0);
      assert.equal(got.length, 1);
      assert.equal(got[0]?.contact, 'sip:a@x.invalid;transport=ws');
      await s.close();
    });

    test('update sees the current bindings, and AoRs are independent', async () => {
      const s = make();
      await s.update('sip:alice@example.com', T0, () => ({
        bindings: [binding({ contact: 'sip:a@x.invalid' })],
        result: undefined,
      }));
      await s.update('sip:bob@example.com', T0, () => ({
        bindings: [binding({ aor: 'sip:bob@example.com', contact: 'sip:b@y.invalid' })],
        result: undefined,
      }));
      await s.update('sip:alice@example.com', T0, (cur) => ({
        bindings: [...cur, binding({ contact: 'sip:a2@x.invalid' })],
        result: undefined,
      }));
      assert.deepEqual(
        (await s.lookup('sip:alice@example.com', T0)).map((b) => b.contact),
        ['sip:a@x.invalid', 'sip:a2@x.invalid'],
      );
      assert.deepEqual(
        (await s.lookup('sip:bob@example.com', T0)).map((b) => b.contact),
        ['sip:b@y.invalid'],
      );
      assert.equal(await s.countAors(T0), 2);
      await s.close();
    });

    test('expired bindings are not returned, and purgeExpired drops them', async () => {
      const s = make();
      await s.update('sip:alice@example.com', T0, () => ({
        bindings: [
          binding({ contact: 'sip:short@x.invalid', expiresAt: T0 + 1000 }),
          binding({ contact: 'sip:long@x.invalid', expiresAt: T0 + 100_000 }),
        ],
        result: undefined,
      }));
      assert.equal((await s.lookup('sip:alice@example.com', T0 + 500)).length, 2);
      assert.deepEqual(
        (await s.lookup('sip:alice@example.com', T0 + 1000)).map((b) => b.contact),
        ['sip:long@x.invalid'],
      );
      assert.equal(await s.purgeExpired(T0 + 2000), 1);
      assert.equal(await s.purgeExpired(T0 + 2000), 0);
      assert.equal(await s.countAors(T0 + 200_000), 0);
      await s.close();
    });

    test('removing every binding empties the AoR', async () => {
      const s = make();
      await s.update('sip:alice@example.com', T0, () => ({
        bindings: [binding({ contact: 'sip:a@x.invalid' })],
        result: undefined,
      }));
      await s.update('sip:alice@example.com', T0, () => ({ bindings: [], result: undefined }));
      assert.deepEqual(await s.lookup('sip:alice@example.com', T0), []);
      assert.equal(await s.countAors(T0), 0);
      await s.close();
    });

    test('flowFailed marks exactly the bindings of that flow, at once', async () => {
      const s = make();
      const other = {
        node: 'n1',
        connectionId: 'c2',
        transport: 'WSS',
        remote: { address: '127.0.0.1', port: 40001 },
      };
      await s.update('sip:alice@example.com', T0, () => ({
        bindings: [
          binding({ contact: 'sip:a@x.invalid' }),
          binding({ contact: 'sip:a2@x.invalid', flow: other }),
        ],
        result: undefined,
      }));
      await s.update('sip:bob@example.com', T0, () => ({
        bindings: [binding({ aor: 'sip:bob@example.com', contact: 'sip:b@y.invalid' })],
        result: undefined,
      }));
      assert.equal(await s.flowFailed({ node: 'n1', connectionId: 'c1' }, T0 + 5), 2);
      const alice = await s.lookup('sip:alice@example.com', T0 + 10);
      assert.equal(alice.find((b) => b.contact === 'sip:a@x.invalid')?.flowFailedAt, T0 + 5);
      assert.equal(alice.find((b) => b.contact === 'sip:a2@x.invalid')?.flowFailedAt, undefined);
      const bob = await s.lookup('sip:bob@example.com', T0 + 10);
      assert.equal(bob[0]?.flowFailedAt, T0 + 5);
      // Same connection id on another node is another flow.
      assert.equal(await s.flowFailed({ node: 'n2', connectionId: 'c2' }, T0 + 6), 0);
      // Failing twice marks nothing new.
      assert.equal(await s.flowFailed({ node: 'n1', connectionId: 'c1' }, T0 + 7), 0);
      await s.close();
    });

    test('a binding re-registered on a new flow is no longer failed', async () => {
      const s = make();
      await s.update('sip:alice@example.com', T0, () => ({
        bindings: [binding({ contact: 'sip:a@x.invalid', instance: 'urn:uuid:1', regId: 1 })],
        result: undefined,
      }));
      await s.flowFailed({ node: 'n1', connectionId: 'c1' }, T0 + 1);
      const fresh = {
        node: 'n1',
        connectionId: 'c9',
        transport: 'WSS',
        remote: { address: '127.0.0.1', port: 40009 },
      };
      await s.update('sip:alice@example.com', T0 + 2, (cur) => ({
        bindings: cur.map((b) => ({ ...b, flow: fresh, flowFailedAt: undefined, cseq: b.cseq + 1 })),
        result: undefined,
      }));
      const [b] = await s.lookup('sip:alice@example.com', T0 + 3);
      assert.equal(b?.flowFailedAt, undefined);
      assert.equal(b?.flow.connectionId, 'c9');
      // The new flow is indexed: failing it marks the binding again.
      assert.equal(await s.flowFailed({ node: 'n1', connectionId: 'c9' }, T0 + 4), 1);
      await s.close();
    });

    test('stored bindings cannot be changed through returned objects', async () => {
      const s = make();
      await s.update('sip:alice@example.com', T0, () => ({
        bindings: [binding({ contact: 'sip:a@x.invalid' })],
        result: undefined,
      }));
      const [b] = await s.lookup('sip:alice@example.com', T0);
      assert.throws(() => {
        (b as { contact: string }).contact = 'sip:evil@x';
      });
      const [again] = await s.lookup('sip:alice@example.com', T0);
      assert.equal(again?.contact, 'sip:a@x.invalid');
      await s.close();
    });
  });
}
