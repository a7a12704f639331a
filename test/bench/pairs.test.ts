import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  abbaOrder,
  formatSpread,
  pairRatio,
  quantile,
  spread,
  summarisePairs,
} from '../../bench/load/pairs.js';

test('abbaOrder: each pair has both servers, the first alternating (K S S K K S ...)', () => {
  const order = abbaOrder(3, 'K', 'S');
  assert.deepEqual(
    order.map((s) => s.who),
    ['K', 'S', 'S', 'K', 'K', 'S'],
  );
  assert.deepEqual(
    order.map((s) => s.pair),
    [0, 0, 1, 1, 2, 2],
  );
  assert.deepEqual(abbaOrder(0, 'K', 'S'), []);
});

test('quantile: linear between order statistics, unsorted input, NaN when empty', () => {
  assert.equal(quantile([3, 1, 2], 0.5), 2);
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4, 5], 0.25), 2);
  assert.equal(quantile([1, 2, 3, 4], 0.25), 1.75);
  assert.equal(quantile([1, 2, 3, 4], 0), 1);
  assert.equal(quantile([1, 2, 3, 4], 1), 4);
  assert.equal(quantile([7], 0.75), 7);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('spread: five numbers over the finite values only', () => {
  assert.deepEqual(spread([5, 1, Number.NaN, 3, 2, 4, Number.POSITIVE_INFINITY]), {
    n: 5,
    min: 1,
    q1: 2,
    median: 3,
    q3: 4,
    max: 5,
  });
  assert.equal(spread([]).n, 0);
  assert.equal(formatSpread(spread([])), '-');
  assert.equal(formatSpread(spread([1, 2, 3])), 'median 2.00 (min 1.00, q1 1.50, q3 2.50, max 3.00)');
});

test('pairRatio: sipwss over Kamailio, rate and server CPU per transaction', () => {
  const k = { perSecond: 20_000, ok: 40_000, serverCpuMs: 2000, steal: 0.01 }; // 50 µs per transaction
  const s = { perSecond: 25_000, ok: 50_000, serverCpuMs: 2000, steal: 0.07 }; // 40 µs per transaction
  const r = pairRatio(k, s);
  assert.equal(r.rate, 1.25);
  assert.ok(Math.abs(r.cpuPerTx - 0.8) < 1e-12);
  assert.equal(r.steal, 0.07, "the pair's steal is its worse slice's");
  const none = pairRatio({ perSecond: 0, ok: 0, serverCpuMs: 0, steal: 0 }, s);
  assert.ok(Number.isNaN(none.rate) && Number.isNaN(none.cpuPerTx));
});

test('summarisePairs: a spread each for rate and CPU, skipping pairs without a ratio', () => {
  const sum = summarisePairs(
    [
      { rate: 1.1, cpuPerTx: 0.9, steal: 0 },
      { rate: Number.NaN, cpuPerTx: Number.NaN, steal: 0 },
      { rate: 1.3, cpuPerTx: 0.7, steal: 0.01 },
    ],
    0.02,
  );
  assert.equal(sum.rate.n, 2);
  assert.ok(Math.abs(sum.rate.median - 1.2) < 1e-12);
  assert.ok(Math.abs(sum.cpuPerTx.median - 0.8) < 1e-12);
});

test('summarisePairs: the calm spread leaves out pairs with more steal than allowed', () => {
  const sum = summarisePairs(
    [
      { rate: 1.2, cpuPerTx: 0.8, steal: 0.005 },
      { rate: 0.7, cpuPerTx: 1.4, steal: 0.2 },
      { rate: 1.4, cpuPerTx: 0.7, steal: 0.02 },
      { rate: 1.8, cpuPerTx: 0.5, steal: 0.021 },
    ],
    0.02,
  );
  assert.equal(sum.rate.n, 4);
  assert.ok(Math.abs(sum.rate.median - 1.3) < 1e-12);
  assert.equal(sum.calm.maxSteal, 0.02);
  assert.equal(sum.calm.rate.n, 2, 'a pair at exactly the limit counts as calm');
  assert.ok(Math.abs(sum.calm.rate.median - 1.3) < 1e-12);
  assert.ok(Math.abs(sum.calm.cpuPerTx.median - 0.75) < 1e-12);
  assert.equal(summarisePairs([{ rate: 1, cpuPerTx: 1, steal: 0.5 }], 0.02).calm.rate.n, 0);
});
