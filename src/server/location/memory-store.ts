/**
 * The in-memory location store: the default, for one sipwss process.
 * An index from flow to AoRs makes `flowFailed` proportional to the bindings on that flow, not to
 * the size of the table (a connection drop must mark its bindings at once).
 */
import type { Binding } from './binding.js';
import type { LocationStore, Mutation } from './store.js';

function flowKey(node: string, connectionId: string): string {
  return `${node}\u0000${connectionId}`;
}

// Stored lists are frozen, and V8 iterates a frozen array with `for...of` (and copies it with
// `slice`) the slow way: the hot loops over them index it.

/** Has `list` a binding with a usable flow that is `b`'s flow? */
function hasLiveFlow(list: readonly Binding[], b: Binding): boolean {
  for (let i = 0; i < list.length; i++) {
    const n = list[i] as Binding;
    if (
      n.flowFailedAt === undefined &&
      n.flow.connectionId === b.flow.connectionId &&
      n.flow.node === b.flow.node
    )
      return true;
  }
  return false;
}

/** The bindings not expired at `now`: the list itself when none is (the common case, no copy). */
function unexpired(list: readonly Binding[], now: number): readonly Binding[] {
  for (let i = 0; i < list.length; i++)
    if (!((list[i] as Binding).expiresAt > now)) return list.filter((x) => x.expiresAt > now);
  return list;
}

export class MemoryLocationStore implements LocationStore {
  readonly #byAor = new Map<string, readonly Binding[]>();
  readonly #aorsByFlow = new Map<string, Set<string>>();

  async lookup(aor: string, now: number): Promise<readonly Binding[]> {
    return this.lookupSync(aor, now);
  }

  lookupSync(aor: string, now: number): readonly Binding[] {
    const list = this.#byAor.get(aor);
    if (list === undefined) return [];
    return unexpired(list, now);
  }

  async update<T>(
    aor: string,
    now: number,
    mutate: (current: readonly Binding[]) => Mutation<T>,
  ): Promise<T> {
    return this.updateSync(aor, now, mutate);
  }

  updateSync<T>(aor: string, now: number, mutate: (current: readonly Binding[]) => Mutation<T>): T {
    // The stored list is looked up once, for `mutate` and for `#replace` (which compares with it).
    const stored = this.#byAor.get(aor);
    const { bindings, result } = mutate(stored === undefined ? [] : unexpired(stored, now));
    this.#replace(aor, unexpired(bindings, now), stored);
    return result;
  }

  async flowFailed(flow: { node: string; connectionId: string }, now: number): Promise<number> {
    const key = flowKey(flow.node, flow.connectionId);
    const aors = this.#aorsByFlow.get(key);
    if (aors === undefined) return 0;
    let marked = 0;
    for (const aor of aors) {
      const list = this.#byAor.get(aor) ?? [];
      const next = list.map((b) => {
        if (
          b.flow.node !== flow.node ||
          b.flow.connectionId !== flow.connectionId ||
          b.flowFailedAt !== undefined
        ) {
          return b;
        }
        marked++;
        return { ...b, flowFailedAt: now };
      });
      this.#byAor.set(aor, next);
    }
    this.#aorsByFlow.delete(key);
    return marked;
  }

  async purgeExpired(now: number): Promise<number> {
    let dropped = 0;
    for (const [aor, list] of this.#byAor) {
      const kept = list.filter((b) => b.expiresAt > now);
      if (kept.length !== list.length) {
        dropped += list.length - kept.length;
        this.#replace(aor, kept);
      }
    }
    return dropped;
  }

  async countAors(now: number): Promise<number> {
    let n = 0;
    for (const list of this.#byAor.values()) if (list.some((b) => b.expiresAt > now)) n++;
    return n;
  }

  async close(): Promise<void> {
    this.#byAor.clear();
    this.#aorsByFlow.clear();
  }

  /** `old`: what is stored for `aor` now, when the caller has it already. */
  #replace(aor: string, bindings: readonly Binding[], old = this.#byAor.get(aor)): void {
    if (bindings.length === 0) {
      if (old !== undefined) for (const b of old) this.#unindex(aor, b);
      this.#byAor.delete(aor);
      return;
    }
    // Our own copies, so that no caller can change them: a binding already frozen is one we
    // handed out (an unchanged binding passed back) and is kept as it is.
    const copies: Binding[] = new Array(bindings.length);
    for (let i = 0; i < bindings.length; i++) {
      const b = bindings[i] as Binding;
      copies[i] = Object.isFrozen(b) ? b : Object.freeze({ ...b });
    }
    const frozen = Object.freeze(copies);
    this.#byAor.set(aor, frozen);
    for (let i = 0; i < frozen.length; i++) {
      const b = frozen[i] as Binding;
      if (b.flowFailedAt !== undefined) continue;
      // Every usable binding stored is indexed under its flow: a refresh on a flow the AoR had
      // already (the usual REGISTER) finds the index right, and builds no key.
      if (old !== undefined && hasLiveFlow(old, b)) continue;
      const key = flowKey(b.flow.node, b.flow.connectionId);
      let set = this.#aorsByFlow.get(key);
      if (set === undefined) this.#aorsByFlow.set(key, (set = new Set()));
      set.add(aor);
    }
    // Flows the AoR no longer has a usable binding on (a refresh on the same flow changes nothing).
    if (old !== undefined)
      for (let i = 0; i < old.length; i++) {
        const b = old[i] as Binding;
        if (!hasLiveFlow(frozen, b)) this.#unindex(aor, b);
      }
  }

  #unindex(aor: string, b: Binding): void {
    const key = flowKey(b.flow.node, b.flow.connectionId);
    const set = this.#aorsByFlow.get(key);
    if (set === undefined) return;
    set.delete(aor);
    if (set.size === 0) this.#aorsByFlow.delete(key);
  }
}
