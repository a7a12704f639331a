/**
 * String-keyed tables for transactions, which come and go thousands of times a second.
 *
 * Why not `Map` (or an object used as a dictionary): V8 never deletes from a hash table in place
 * for good; deleted entries pile up and every few hundred deletions the table is rehashed into a
 * new backing store. Once a mark-compact has moved the table to old space, V8 allocates its
 * successors in old space too, and the dead backing store it leaves behind still points at every
 * entry it held (a Map's also at its successor). Until the next mark-compact those pointers keep
 * young transactions alive through every scavenge, so they are promoted, and the old space fills
 * with dead transactions that need another mark-compact: a loop that never ends. Measured under
 * MESSAGE relay (docs/benchmarks.md, "MESSAGE in steady state"): after the first mark-compact
 * 2.5 MB survived each scavenge instead of 0.75 MB, a mark-compact ran every second, GC took 15 %
 * of the time instead of 4 %, and relayed MESSAGEs/s fell by a quarter.
 *
 * This table owns its backing arrays: a deletion clears the slot (linear probing with
 * backward-shift deletion, no tombstones), so arrays are only replaced when the table grows or
 * shrinks, and the arrays it drops are emptied first. Nothing dead is ever pointed at.
 */
import { randomBytes } from 'node:crypto';

/** A table never shrinks below the capacity it starts with (a power of two, at least 4). */
const DEFAULT_CAPACITY = 16;

// Keys come from the network (a client's Via branch): a per-process seed, so that nobody can
// prepare keys that all land in one probe run (hash flooding).
const SEED = randomBytes(4).readUInt32LE(0);

/** FNV-1a over the UTF-16 code units, then a final mix (the table masks the low bits). */
function hashOf(key: string): number {
  let h = SEED ^ 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export class TxTable<V> {
  #keys: (string | undefined)[];
  #values: (V | undefined)[];
  #hashes: Uint32Array;
  #mask: number;
  #size = 0;
  readonly #minCapacity: number;

  constructor(capacity = DEFAULT_CAPACITY) {
    if (!(capacity >= 4 && (capacity & (capacity - 1)) === 0)) {
      throw new RangeError(`TxTable capacity must be a power of two, at least 4: ${capacity}`);
    }
    this.#minCapacity = capacity;
    this.#keys = new Array<string | undefined>(capacity).fill(undefined);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
    this.#hashes = new Uint32Array(capacity);
    this.#mask = capacity - 1;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    if (this.#size === 0) return undefined;
    const keys = this.#keys;
    const mask = this.#mask;
    for (let i = hashOf(key) & mask; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === undefined) return undefined;
      if (k === key) return this.#values[i];
    }
  }

  /** Add or replace. */
  set(key: string, value: V): void {
    const h = hashOf(key);
    const keys = this.#keys;
    const mask = this.#mask;
    let i = h & mask;
    for (; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === undefined) break;
      if (k === key) {
        this.#values[i] = value;
        return;
      }
    }
    keys[i] = key;
    this.#values[i] = value;
    this.#hashes[i] = h;
    // At most half full: probes stay short.
    if (++this.#size * 2 > keys.length) this.#resize(keys.length * 2);
  }

  delete(key: string): boolean {
    if (this.#size === 0) return false;
    const keys = this.#keys;
    const values = this.#values;
    const hashes = this.#hashes;
    const mask = this.#mask;
    let i = hashOf(key) & mask;
    for (; ; i = (i + 1) & mask) {
      const k = keys[i];
      if (k === undefined) return false;
      if (k === key) break;
    }
    // Backward-shift deletion: move up each later entry of the run that may sit in the hole, so
    // that every lookup still finds its key before the first empty slot.
    for (let j = (i + 1) & mask; keys[j] !== undefined; j = (j + 1) & mask) {
      const home = (hashes[j] as number) & mask;
      // The entry at j may move to i when its home slot is not in the cyclic range (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        keys[i] = keys[j];
        values[i] = values[j];
        hashes[i] = hashes[j] as number;
        i = j;
      }
    }
    keys[i] = undefined;
    values[i] = undefined;
    this.#size--;
    if (keys.length > this.#minCapacity && this.#size * 8 < keys.length) this.#resize(keys.length / 2);
    return true;
  }

  /** A snapshot of the values: the table may change while the caller walks it. */
  values(): V[] {
    const out: V[] = [];
    if (this.#size === 0) return out;
    const keys = this.#keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== undefined) out.push(this.#values[i] as V);
    return out;
  }

  clear(): void {
    this.#keys.fill(undefined);
    this.#values.fill(undefined);
    this.#size = 0;
    if (this.#keys.length > this.#minCapacity) this.#resize(this.#minCapacity);
  }

  #resize(capacity: number): void {
    const keys = this.#keys;
    const values = this.#values;
    const hashes = this.#hashes;
    this.#keys = new Array<string | undefined>(capacity).fill(undefined);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
    this.#hashes = new Uint32Array(capacity);
    this.#mask = capacity - 1;
    const mask = this.#mask;
    for (let j = 0; j < keys.length; j++) {
      const k = keys[j];
      if (k === undefined) continue;
      const h = hashes[j] as number;
      let i = h & mask;
      while (this.#keys[i] !== undefined) i = (i + 1) & mask;
      this.#keys[i] = k;
      this.#values[i] = values[j];
      this.#hashes[i] = h;
    }
    // The dropped arrays may be in old space: empty, they keep nothing young alive.
    keys.fill(undefined);
    values.fill(undefined);
  }
}

/** A connection's group starts small: a client has a few transactions in flight at a time. */
const GROUP_CAPACITY = 4;

/**
 * Transactions grouped by the connection they depend on, so that a closed connection ends its
 * transactions at once. An empty group is dropped: an idle connection costs nothing here.
 */
export class TxGroups<V> {
  readonly #groups = new TxTable<TxTable<V>>();

  add(connectionId: string, key: string, value: V): void {
    let group = this.#groups.get(connectionId);
    if (group === undefined) this.#groups.set(connectionId, (group = new TxTable<V>(GROUP_CAPACITY)));
    group.set(key, value);
  }

  /** Remove `key` from the group, if `value` is what it holds there. */
  remove(connectionId: string, key: string, value: V): void {
    const group = this.#groups.get(connectionId);
    if (group === undefined || group.get(key) !== value) return;
    group.delete(key);
    if (group.size === 0) this.#groups.delete(connectionId);
  }

  /** Drop the connection's group and return what it held. */
  take(connectionId: string): V[] {
    const group = this.#groups.get(connectionId);
    if (group === undefined) return [];
    this.#groups.delete(connectionId);
    const held = group.values();
    group.clear(); // the dropped group may be in old space: empty, it keeps nothing alive
    return held;
  }

  clear(): void {
    for (const group of this.#groups.values()) group.clear();
    this.#groups.clear();
  }
}
