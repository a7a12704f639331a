import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Binding } from '../../src/server/location/binding.js';
import { MemoryLocationStore } from '../../src/server/location/memory-store.js';
import { binding, locationStoreConformance } from './location-conformance.js';

locationStoreConformance('memory', () => new MemoryLocationStore());

const T0 = 1_700_000_000_000;
const AOR = 'sip:alice@example.com';
const flow = (connectionId: string): Binding['flow'] => ({
  node: 'n1',
  connectionId,
  transport: 'WSS',
  remote: { address: '127.0.0.1', port: 40000 },
});
const failedCount = async (s: MemoryLocationStore) =>
  (await s.lookup(AOR, T0)).filter((b) => b.flowFailedAt !== undefined).length;

test('memory store: a refresh on the same flow keeps the flow index (flowFailed still marks it)', async () => {
  const s = new MemoryLocationStore();
  for (let cseq = 1; cseq <= 3; cseq++)
    await s.update(AOR, T0, () => ({
      bindings: [binding({ contact: 'sip:a@x.invalid', cseq, flow: flow('c1') })],
      result: undefined,
    }));
  assert.equal(await s.flowFailed({ node: 'n1', connectionId: 'c1' }, T0), 1);
  assert.equal(await failedCount(s), 1);
});

test('memory store: a refresh that moves to a new flow leaves the old flow unindexed', async () => {
  const s = new MemoryLocationStore();
  await s.update(AOR, T0, () => ({
    bindings: [binding({ contact: 'sip:a@x.invalid', flow: flow('c1') })],
    result: undefined,
  }));
  await s.update(AOR, T0, () => ({
    bindings: [binding({ contact: 'sip:a@x.invalid', cseq: 2, flow: flow('c2') })],
    result: undefined,
  }));
  assert.equal(await s.flowFailed({ node: 'n1', connectionId: 'c1' }, T0), 0);
  assert.equal(await s.flowFailed({ node: 'n1', connectionId: 'c2' }, T0), 1);
});

test('memory store: with two bindings on one flow, dropping one keeps the other indexed', async () => {
  const s = new MemoryLocationStore();
  await s.update(AOR, T0, () => ({
    bindings: [
      binding({ contact: 'sip:a@x.invalid', flow: flow('c1') }),
      binding({ contact: 'sip:b@x.invalid', flow: flow('c1') }),
    ],
    result: undefined,
  }));
  await s.update(AOR, T0, (cur) => ({ bindings: cur.slice(1), result: undefined }));
  assert.equal(await s.flowFailed({ node: 'n1', connectionId: 'c1' }, T0), 1);
  // Re-registered on the failed flow's successor, then that one fails too.
  await s.update(AOR, T0, () => ({
    bindings: [binding({ contact: 'sip:b@x.invalid', cseq: 2, flow: flow('c3') })],
    result: undefined,
  }));
  assert.equal(await failedCount(s), 0);
  assert.equal(await s.flowFailed({ node: 'n1', connectionId: 'c3' }, T0), 1);
});
