/**
 * Latency histogram with logarithmic buckets (2 % wide, 1 µs to ~10 min): constant memory, O(1)
 * record, mergeable across load processes (sent over IPC as a plain array).
 */
const GROWTH = 1.02;
const LOG_GROWTH = Math.log(GROWTH);
/** Buckets: index i holds values in [GROWTH^i, GROWTH^(i+1)) µs; index 0 also holds values below 1 µs. */
export const BUCKETS = 1400;

export class Histogram {
  readonly counts: Uint32Array;
  count = 0;
  max = 0;

  constructor(counts?: readonly number[]) {
    this.counts = new Uint32Array(BUCKETS);
    if (counts) {
      for (let i = 0; i < BUCKETS && i < counts.length; i++) {
        const c = counts[i] ?? 0;
        this.counts[i] = c;
        this.count += c;
      }
    }
  }

  /** Records one latency in milliseconds. */
  record(ms: number): void {
    const us = ms * 1000;
    let i = us <= 1 ? 0 : Math.floor(Math.log(us) / LOG_GROWTH);
    if (i >= BUCKETS) i = BUCKETS - 1;
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  merge(other: Histogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] = (this.counts[i] ?? 0) + (other.counts[i] ?? 0);
    this.count += other.count;
    if (other.max > this.max) this.max = other.max;
  }

  /** The q-quantile (0 < q ≤ 1) in milliseconds: the geometric middle of its bucket; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return GROWTH ** (i + 0.5) / 1000;
    }
    return this.max;
  }

  /** Sparse form for IPC: [index, count, index, count, ...]. */
  toSparse(): number[] {
    const out: number[] = [];
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.counts[i] ?? 0;
      if (c > 0) out.push(i, c);
    }
    return out;
  }

  static fromSparse(sparse: readonly number[], max: number): Histogram {
    const h = new Histogram();
    for (let k = 0; k + 1 < sparse.length; k += 2) {
      const i = sparse[k] ?? 0;
      const c = sparse[k + 1] ?? 0;
      if (i >= 0 && i < BUCKETS) {
        h.counts[i] = (h.counts[i] ?? 0) + c;
        h.count += c;
      }
    }
    h.max = max;
    return h;
  }
}
