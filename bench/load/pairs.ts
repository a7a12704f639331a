/**
 * The arithmetic of bench/server.bench.ts's interleaved rate phases: the ABBA order of the slices,
 * the sipwss/Kamailio ratio of each adjacent pair, and the spread of those ratios. Pure functions (a
 * unit test checks them: test/bench/pairs.test.ts).
 *
 * Why pairs: on a shared VM the machine's speed moves by tens of percent from one 10 s window to the
 * next, more than the difference between the servers. Two slices taken back to back see nearly the
 * same machine, so their ratio is much steadier than the ratio of two long phases; ABBA (A B, B A,
 * A B, ...) puts each server first in half the pairs, so a steady drift within a pair cancels over the
 * run instead of favouring whichever server runs second.
 */

/** The two servers' slices in ABBA order: pair i runs `a` first when i is even, `b` first when odd. */
export function abbaOrder<T>(pairs: number, a: T, b: T): Array<{ readonly pair: number; readonly who: T }> {
  const out: Array<{ pair: number; who: T }> = [];
  for (let pair = 0; pair < pairs; pair++) {
    const [first, second] = pair % 2 === 0 ? [a, b] : [b, a];
    out.push({ pair, who: first }, { pair, who: second });
  }
  return out;
}

/**
 * The q-quantile (0 ≤ q ≤ 1) of `values`, interpolating linearly between the order statistics
 * (Hyndman & Fan type 7, as R's and NumPy's default): the median of an even count is the mean of the
 * middle two. NaN when empty.
 */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  if (sorted.length === 0) return Number.NaN;
  const h = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const below = sorted[lo] ?? Number.NaN;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)] ?? below;
  return below + (h - lo) * (above - below);
}

export interface Spread {
  readonly n: number;
  readonly min: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
  readonly max: number;
}

/** Five-number summary of the finite values (a pair without transactions gives no ratio). */
export function spread(values: readonly number[]): Spread {
  const v = values.filter(Number.isFinite);
  return {
    n: v.length,
    min: quantile(v, 0),
    q1: quantile(v, 0.25),
    median: quantile(v, 0.5),
    q3: quantile(v, 0.75),
    max: quantile(v, 1),
  };
}

/** What one slice of one server measured, as far as the pair ratios need it. */
export interface SliceFigures {
  /** Transactions completed per second of the measured window. */
  readonly perSecond: number;
  /** Transactions completed in the window. */
  readonly ok: number;
  /** The server's CPU time over the window, ms. */
  readonly serverCpuMs: number;
  /** Share of the machine's CPU time the hypervisor stole over the window (0 to 1). */
  readonly steal: number;
}

/** sipwss/Kamailio ratios of one pair: throughput, and server CPU per transaction. */
export interface PairRatio {
  readonly rate: number;
  readonly cpuPerTx: number;
  /** The larger steal share of the pair's two slices. */
  readonly steal: number;
}

/** NaN where a side has nothing to divide by (no transactions, or no CPU time read). */
export function pairRatio(kamailio: SliceFigures, sipwss: SliceFigures): PairRatio {
  const cpuPerTx = (s: SliceFigures) => (s.ok > 0 ? s.serverCpuMs / s.ok : Number.NaN);
  const k = cpuPerTx(kamailio);
  return {
    rate: kamailio.perSecond > 0 ? sipwss.perSecond / kamailio.perSecond : Number.NaN,
    cpuPerTx: k > 0 ? cpuPerTx(sipwss) / k : Number.NaN,
    steal: Math.max(kamailio.steal, sipwss.steal),
  };
}

/** The spreads of a scenario's pair ratios: of all pairs, and of the calm ones. */
export interface PairSummary {
  readonly rate: Spread;
  readonly cpuPerTx: Spread;
  /**
   * The pairs in which neither slice lost more than `maxSteal` of the machine to the hypervisor.
   * Steal comes in bursts of seconds on this shared host and slows whichever server runs in it (a
   * burst of 20 % was seen to cut a slice's rate by a third), so the calm pairs compare the servers on
   * the same machine; the slices of the others still count in the pooled figures.
   */
  readonly calm: { readonly maxSteal: number; readonly rate: Spread; readonly cpuPerTx: Spread };
}

export function summarisePairs(ratios: readonly PairRatio[], maxSteal: number): PairSummary {
  const calm = ratios.filter((r) => r.steal <= maxSteal);
  return {
    rate: spread(ratios.map((r) => r.rate)),
    cpuPerTx: spread(ratios.map((r) => r.cpuPerTx)),
    calm: { maxSteal, rate: spread(calm.map((r) => r.rate)), cpuPerTx: spread(calm.map((r) => r.cpuPerTx)) },
  };
}

/** `median 1.18 (min 0.97, q1 1.10, q3 1.24, max 1.31)` */
export function formatSpread(s: Spread): string {
  if (s.n === 0) return '-';
  const f = (v: number) => v.toFixed(2);
  return `median ${f(s.median)} (min ${f(s.min)}, q1 ${f(s.q1)}, q3 ${f(s.q3)}, max ${f(s.max)})`;
}
