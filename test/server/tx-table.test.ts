import assert from 'node:assert/strict';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { TxGroups, TxTable } from '../../src/server/transaction/tx-table.js';

test('a TxTable adds, replaces, finds and deletes, and counts what it holds', () => {
  const t = new TxTable<number>();
  assert.equal(t.get('a'), undefined);
  assert.equal(t.delete('a'), false);
  t.set('a', 1);
  t.set('b', 2);
  t.set('a', 3);
  assert.equal(t.size, 2);
  assert.equal(t.get('a'), 3);
  assert.equal(t.delete('a'), true);
  assert.equal(t.delete('a'), false);
  assert.equal(t.get('a'), undefined);
  assert.equal(t.get('b'), 2);
  assert.equal(t.size, 1);
  t.clear();
  assert.equal(t.size, 0);
  assert.equal(t.get('b'), undefined);
  assert.deepEqual(t.values(), []);
});

test('keys from the network are plain keys: no prototype, numbers and the empty string work', () => {
  const t = new TxTable<string>();
  assert.equal(t.get('constructor'), undefined);
  assert.equal(t.get('__proto__'), undefined);
  for (const k of [
    '__proto__',
    'constructor',
    'toString',
    '0',
    '42',
    '',
    'z9hG4bK\u0000h:5060\u0000INVITE\u00007',
  ]) {
    t.set(k, `v${k}`);
  }
  assert.equal(t.size, 7);
  assert.equal(t.get('__proto__'), 'v__proto__');
  assert.equal(t.get('42'), 'v42');
  assert.equal(t.get(''), 'v');
  assert.equal(t.delete('constructor'), true);
  assert.equal(t.get('constructor'), undefined);
  assert.equal(t.size, 6);
});

test('a TxTable agrees with a Map through random churn, growth and shrinking', () => {
  // A deterministic generator: a failure can be replayed.
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (const capacity of [4, 16]) {
    const t = new TxTable<number>(capacity);
    const m = new Map<string, number>();
    for (let step = 0; step < 40_000; step++) {
      // Phases: grow to a few thousand keys, then drain, so the table resizes both ways.
      const growing = Math.floor(step / 10_000) % 2 === 0;
      const key = `k${rnd(growing ? 5_000 : 200)}`;
      if (rnd(100) < (growing ? 70 : 20)) {
        t.set(key, step);
        m.set(key, step);
      } else {
        assert.equal(t.delete(key), m.delete(key), `delete ${key} at step ${step}`);
      }
      assert.equal(t.size, m.size);
      const probe = `k${rnd(5_000)}`;
      assert.equal(t.get(probe), m.get(probe), `get ${probe} at step ${step}`);
    }
    assert.deepEqual(
      t.values().sort((a, b) => a - b),
      [...m.values()].sort((a, b) => a - b),
    );
  }
});

test('values() is a snapshot: deleting while walking it is safe', () => {
  const t = new TxTable<string>();
  for (let i = 0; i < 100; i++) t.set(`k${i}`, `k${i}`);
  let seen = 0;
  for (const v of t.values()) {
    t.delete(v);
    seen++;
  }
  assert.equal(seen, 100);
  assert.equal(t.size, 0);
});

test('a capacity that is not a power of two of at least 4 is refused', () => {
  assert.throws(() => new TxTable(3), RangeError);
  assert.throws(() => new TxTable(24), RangeError);
  assert.equal(new TxTable(4).size, 0);
});

test('TxGroups: add, remove only what is held, and take a group away whole', () => {
  const g = new TxGroups<{ id: string }>();
  const a = { id: 'a' };
  const b = { id: 'b' };
  g.add('7', 'a', a);
  g.add('7', 'b', b);
  g.add('8', 'a', { id: 'other a' });
  g.remove('7', 'a', { id: 'a' }); // not the object it holds: stays
  const taken = g.take('7');
  assert.equal(taken.length, 2);
  assert.ok(taken.includes(a) && taken.includes(b));
  assert.deepEqual(g.take('7'), [], 'taken once');
  g.remove('8', 'a', { id: 'nope' });
  assert.equal(g.take('8').length, 1);
  g.add('9', 'a', a);
  g.remove('9', 'a', a);
  assert.deepEqual(g.take('9'), [], 'an emptied group is gone');
});

/**
 * The reason the table exists (see its header): after a full GC has moved it to old space,
 * churning entries through it must not keep dead entries alive into old space. A Map does (its
 * figure is printed for comparison); this is the property, not a timing.
 */
test('churn through an old TxTable promotes no dead entries (a Map does)', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as (o?: { type: 'major' | 'minor' }) => void;
  const oldSpace = () =>
    v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;
  const churnGrowth = (table: { set(k: string, v: unknown): unknown; delete(k: string): unknown }) => {
    const live: string[] = [];
    let n = 0;
    const churn = (count: number) => {
      for (let i = 0; i < count; i++) {
        const k = `z9hG4bK-${n++}`;
        table.set(k, { k, payload: new Array(100).fill(n) });
        live.push(k);
        if (live.length > 200) table.delete(live.shift() as string);
      }
    };
    churn(1_000);
    gc({ type: 'major' });
    gc({ type: 'major' }); // the table and its 200 live entries are in old space now
    const before = oldSpace();
    for (let r = 0; r < 50; r++) {
      churn(1_000); // ~45 MB of entries in all, 200 alive at any time
      gc({ type: 'minor' });
    }
    return (oldSpace() - before) / 1e6;
  };
  const mapMb = churnGrowth(new Map<string, unknown>());
  gc({ type: 'major' });
  const tableMb = churnGrowth(new TxTable<unknown>());
  console.log(
    `old space growth over 50,000 entries churned: Map ${mapMb.toFixed(1)} MB, TxTable ${tableMb.toFixed(1)} MB`,
  );
  assert.ok(tableMb < 4, `TxTable let ${tableMb.toFixed(1)} MB of dead entries into old space`);
});
