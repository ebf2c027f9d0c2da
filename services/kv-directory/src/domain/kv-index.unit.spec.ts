import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BitsetKvIndex } from './bitset-kv-index.js';
import { CompactKvIndex } from './compact-kv-index.js';
import { compareMatches, type KvIndex, type KvMatch } from './kv-index.js';

/** The obviously-correct model: sets per worker and model, prefix counted block by block. */
class NaiveKvIndex implements KvIndex {
  readonly held = new Map<string, Map<string, Set<bigint>>>();
  stored(w: string, m: string, hs: readonly bigint[]): void {
    if (hs.length === 0) return;
    const byModel = this.held.get(w) ?? new Map<string, Set<bigint>>();
    this.held.set(w, byModel);
    const set = byModel.get(m) ?? new Set<bigint>();
    byModel.set(m, set);
    for (const h of hs) set.add(h);
  }
  removed(w: string, m: string, hs: readonly bigint[]): void {
    const set = this.held.get(w)?.get(m);
    if (set === undefined) return;
    for (const h of hs) set.delete(h);
    if (set.size === 0) this.held.get(w)!.delete(m);
  }
  cleared(w: string): void {
    this.held.get(w)?.clear();
  }
  forget(w: string): void {
    this.held.delete(w);
  }
  match(m: string, hs: readonly bigint[], ids?: readonly string[]): KvMatch[] {
    const candidates =
      ids !== undefined && ids.length > 0
        ? [...new Set(ids)]
        : [...this.held].filter(([, byModel]) => (byModel.get(m)?.size ?? 0) > 0).map(([w]) => w);
    return candidates
      .map((workerId) => {
        const set = this.held.get(workerId)?.get(m);
        let n = 0;
        while (set !== undefined && n < hs.length && set.has(hs[n]!)) n++;
        return { workerId, matchedBlocks: n };
      })
      .sort(compareMatches);
  }
  stats() {
    const distinct = new Set<string>();
    let workers = 0;
    for (const byModel of this.held.values()) {
      let any = false;
      for (const [m, set] of byModel) {
        for (const h of set) {
          distinct.add(`${m}/${h}`);
          any = true;
        }
      }
      if (any) workers++;
    }
    return { blocksIndexed: distinct.size, workers };
  }
}

// Small domains force collisions: shared blocks, re-stores, removals of held blocks. A few
// full-width values exercise both 32-bit halves of the table key.
const hashArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0, max: 11 }).map(BigInt) },
  { weight: 1, arbitrary: fc.constantFrom(0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n, 0x1_0000_0000n, 0xffff_ffffn) },
);
const hashesArb = fc.array(hashArb, { maxLength: 8 });
const modelArb = fc.constantFrom('m1', 'm2', 'm3');
type Op =
  | { op: 'stored' | 'removed'; w: string; m: string; hs: bigint[] }
  | { op: 'cleared' | 'forget'; w: string }
  | { op: 'match'; m: string; hs: bigint[]; ids: string[] | undefined };
/**
 * `shared`: few hashes, one model, mostly stores, so blocks gather dozens of holders (holder sets
 * turn into bitsets) and filtered matches name scattered workers (the sparse walk).
 */
const opArb = (workers: number, shared = false): fc.Arbitrary<Op> => {
  const workerArb = fc.integer({ min: 0, max: workers - 1 }).map((i) => `w${i}`);
  const hs = shared ? fc.array(fc.integer({ min: 0, max: 3 }).map(BigInt), { maxLength: 4 }) : hashesArb;
  const m = shared ? fc.constant('m1') : modelArb;
  return fc.oneof(
    { weight: shared ? 20 : 5, arbitrary: fc.record({ op: fc.constant('stored' as const), w: workerArb, m, hs }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('removed' as const), w: workerArb, m, hs }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('cleared' as const), w: workerArb }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('forget' as const), w: workerArb }) },
    {
      weight: shared ? 6 : 3,
      arbitrary: fc.record({
        op: fc.constant('match' as const),
        m,
        hs,
        ids: fc.option(fc.array(workerArb, { maxLength: 4 }), { nil: undefined }),
      }),
    },
  );
};

type Make = () => KvIndex;
const implementations: [string, Make][] = [
  ['CompactKvIndex', () => new CompactKvIndex(16)],
  ['BitsetKvIndex (baseline)', () => new BitsetKvIndex()],
];

/** Applies `ops` to both; checks every match answer, and stats after each op when `everyStat`. */
function replay(make: Make, ops: readonly Op[], everyStat: boolean): void {
  const fast = make();
  const naive = new NaiveKvIndex();
  for (const o of ops) {
    if (o.op === 'match') {
      expect(fast.match(o.m, o.hs, o.ids)).toEqual(naive.match(o.m, o.hs, o.ids));
    } else if (o.op === 'stored' || o.op === 'removed') {
      fast[o.op](o.w, o.m, o.hs);
      naive[o.op](o.w, o.m, o.hs);
    } else {
      fast[o.op](o.w);
      naive[o.op](o.w);
    }
    if (everyStat) expect(fast.stats()).toEqual(naive.stats());
  }
  expect(fast.stats()).toEqual(naive.stats());
}

function runAgainstModel(make: Make, workers: number, runs: number, everyStat = true, shared = false): void {
  fc.assert(
    fc.property(fc.array(opArb(workers, shared), { minLength: shared ? 200 : 0, maxLength: shared ? 300 : 120 }), (ops) => replay(make, ops, everyStat)),
    { numRuns: runs },
  );
}

describe.each(implementations)('%s', (_name, make) => {
  it('agrees with a brute-force model on random operation streams (few workers)', () => {
    runAgainstModel(make, 5, 300);
  });

  it('agrees with the model past 32 workers (multi-word bitsets, slot reuse)', () => {
    runAgainstModel(make, 70, 150);
  });

  it('agrees with the model when dozens of workers share blocks (bitset holder sets, sparse walks)', () => {
    runAgainstModel(make, 100, 60, false, true);
    runAgainstModel(make, 40, 60, true, true);
  });

  it('agrees with the model when stats are rare (retired slots wait for a sweep)', () => {
    runAgainstModel(make, 8, 200, false);
  });

  it('agrees with the model over long streams that grow and shrink the table', () => {
    const rnd = mulberry32(7);
    const ops: Op[] = [];
    for (let i = 0; i < 4000; i++) {
      const w = `w${Math.floor(rnd() * 40)}`;
      const m = rnd() < 0.8 ? 'big' : 'small';
      const hs = Array.from({ length: 1 + Math.floor(rnd() * 16) }, () => BigInt(Math.floor(rnd() * 3000)) << BigInt(Math.floor(rnd() * 40)));
      const r = rnd();
      if (r < 0.55) ops.push({ op: 'stored', w, m, hs });
      else if (r < 0.8) ops.push({ op: 'removed', w, m, hs });
      else if (r < 0.83) ops.push({ op: 'cleared', w });
      else if (r < 0.85) ops.push({ op: 'forget', w });
      else ops.push({ op: 'match', m, hs, ids: rnd() < 0.5 ? undefined : [w, 'w1', 'nobody'] });
    }
    replay(make, ops, false);
  });

  it('counts only the consecutive prefix from block 0', () => {
    const index = make();
    index.stored('a', 'm', [1n, 2n, 3n]);
    index.stored('b', 'm', [1n, 3n]);
    index.stored('c', 'other', [1n, 2n, 3n]);
    expect(index.match('m', [1n, 2n, 3n, 4n])).toEqual([
      { workerId: 'a', matchedBlocks: 3 },
      { workerId: 'b', matchedBlocks: 1 },
    ]);
    expect(index.match('m', [4n, 1n], ['a', 'zz'])).toEqual([
      { workerId: 'a', matchedBlocks: 0 },
      { workerId: 'zz', matchedBlocks: 0 },
    ]);
  });

  it('does not let a reused slot inherit the forgotten worker blocks', () => {
    const index = make();
    index.stored('old', 'm', [7n, 8n]);
    index.forget('old');
    index.stored('new', 'm', [9n]);
    expect(index.match('m', [7n, 8n], ['new'])).toEqual([{ workerId: 'new', matchedBlocks: 0 }]);
    expect(index.stats()).toEqual({ blocksIndexed: 1, workers: 1 });
  });
});

describe('CompactKvIndex internals', () => {
  it('keeps a worker cleared before the sweep out of answers, then re-learns it', () => {
    const index = new CompactKvIndex(16);
    for (let w = 0; w < 10; w++) index.stored(`w${w}`, 'm', [1n, 2n, BigInt(100 + w)]);
    index.cleared('w3');
    expect(index.match('m', [1n, 2n], ['w3', 'w4'])).toEqual([
      { workerId: 'w4', matchedBlocks: 2 },
      { workerId: 'w3', matchedBlocks: 0 },
    ]);
    index.stored('w3', 'm', [1n]);
    expect(index.match('m', [1n, 2n]).filter((x) => x.workerId === 'w3')).toEqual([{ workerId: 'w3', matchedBlocks: 1 }]);
    expect(index.stats()).toEqual({ blocksIndexed: 11, workers: 10 });
  });

  it('holds single-holder blocks in 16-43 bytes each of typed arrays, no holder sets', () => {
    const index = new CompactKvIndex();
    const batch: bigint[] = [];
    for (let i = 0; i < 200_000; i++) {
      batch.push(BigInt(i) * 0x9e37_79b9_7f4a_7c15n & 0xffff_ffff_ffff_ffffn);
      if (batch.length === 512) index.stored(`w${i % 64}`, 'm', batch.splice(0));
    }
    index.stored('w0', 'm', batch);
    const bytes = index.memoryBytes();
    expect(index.stats().blocksIndexed).toBe(200_000);
    expect(bytes.table / 200_000).toBeLessThanOrEqual(43);
    expect(bytes.sets).toBe(0);
  });
});

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
