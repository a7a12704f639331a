/**
 * The location store interface (style principle 11: storage behind an async interface, with one
 * conformance suite — test/server/location-conformance.ts — that every backend must pass).
 *
 * Updates are per AoR and atomic: the registrar computes the new set of bindings from the current
 * one (RFC 3261 §10.3 steps 6-8 need the current Call-ID/CSeq of each contact), and a backend
 * shared between processes (Redis) retries the computation on a concurrent change. `mutate` must
 * therefore be pure: no side effects, it may run more than once.
 */
import type { Binding, Flow } from './binding.js';

export interface Mutation<T> {
  /** The complete new set of bindings of the AoR (expired ones may be left out or kept; the store drops them). */
  readonly bindings: readonly Binding[];
  /** What `update` resolves with. */
  readonly result: T;
}

export interface LocationStore {
  /** Bindings of `aor` that have not expired at `now` (usable or with a failed flow). */
  lookup(aor: string, now: number): Promise<readonly Binding[]>;
  /** Atomically replace the bindings of `aor` by what `mutate` computes from the current ones. */
  update<T>(aor: string, now: number, mutate: (current: readonly Binding[]) => Mutation<T>): Promise<T>;
  /**
   * The connection of `flow` closed: mark every binding registered on it as failed at `now`, at once.
   * Resolves with the number of bindings marked.
   */
  flowFailed(flow: Pick<Flow, 'node' | 'connectionId'>, now: number): Promise<number>;
  /** Drop expired bindings; resolves with how many were dropped. */
  purgeExpired(now: number): Promise<number>;
  /** Number of AoRs with at least one unexpired binding (for metrics). */
  countAors(now: number): Promise<number>;
  close(): Promise<void>;
  /**
   * Optional synchronous forms of `lookup` and `update`, for a store that lives in this process
   * (the in-memory one): the core calls them when present, so that a request is routed in the
   * same turn it arrives, without a Promise per lookup. Same results as the async forms.
   */
  lookupSync?(aor: string, now: number): readonly Binding[];
  updateSync?<T>(aor: string, now: number, mutate: (current: readonly Binding[]) => Mutation<T>): T;
}
