/**
 * A read-only Map. `Object.freeze` does not stop `Map.prototype.set`, so a loaded config would be
 * mutable through its maps; this wrapper exposes only the reading half of the Map interface.
 */
export class FrozenMap<K, V> implements ReadonlyMap<K, V> {
  readonly #inner: Map<K, V>;

  constructor(entries: Iterable<readonly [K, V]>) {
    this.#inner = new Map(entries);
    Object.freeze(this);
  }

  get size(): number {
    return this.#inner.size;
  }
  get(key: K): V | undefined {
    return this.#inner.get(key);
  }
  has(key: K): boolean {
    return this.#inner.has(key);
  }
  forEach(cb: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.#inner) cb.call(thisArg, v, k, this);
  }
  entries(): MapIterator<[K, V]> {
    return this.#inner.entries();
  }
  keys(): MapIterator<K> {
    return this.#inner.keys();
  }
  values(): MapIterator<V> {
    return this.#inner.values();
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.#inner[Symbol.iterator]();
  }
  /** Show the entries in console.log / util.inspect, like a Map. */
  [Symbol.for('nodejs.util.inspect.custom')](): Map<K, V> {
    return new Map(this.#inner);
  }
}

/** Freeze a value and everything reachable through plain objects, arrays and FrozenMaps. */
export function deepFreeze<T>(value: T): T {
  if (value instanceof FrozenMap) {
    for (const v of value.values()) deepFreeze(v);
  } else if (Array.isArray(value)) {
    for (const v of value) deepFreeze(v);
    Object.freeze(value);
  } else if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
