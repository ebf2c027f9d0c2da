import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BitsetKvIndex } from './bitset-kv-index.js';
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

// Small domains force collisions: shared blocks, re-stores, removals of held blocks.
const hashArb = fc.oneof(
  fc.integer({ min: 0, max: 11 }).map(BigInt),
  fc.constantFrom(0xffff_ffff_ffff_ffffn, 0x8000_0000_0000_0000n),
);
const hashesArb = fc.array(hashArb, { maxLength: 8 });
const modelArb = fc.constantFrom('m1', 'm2');
const opArb = (workers: number) => {
  const workerArb = fc.integer({ min: 0, max: workers - 1 }).map((i) => `w${i}`);
  return fc.oneof(
    { weight: 5, arbitrary: fc.record({ op: fc.constant('stored' as const), w: workerArb, m: modelArb, hs: hashesArb }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('removed' as const), w: workerArb, m: modelArb, hs: hashesArb }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('cleared' as const), w: workerArb }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('forget' as const), w: workerArb }) },
    {
      weight: 3,
      arbitrary: fc.record({
        op: fc.constant('match' as const),
        m: modelArb,
        hs: hashesArb,
        ids: fc.option(fc.array(workerArb, { maxLength: 4 }), { nil: undefined }),
      }),
    },
  );
};

function runAgainstModel(workers: number, runs: number): void {
  fc.assert(
    fc.property(fc.array(opArb(workers), { maxLength: 120 }), (ops) => {
      const fast = new BitsetKvIndex();
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
        expect(fast.stats()).toEqual(naive.stats());
      }
    }),
    { numRuns: runs },
  );
}

describe('BitsetKvIndex', () => {
  it('agrees with a brute-force model on random operation streams (one bitset word)', () => {
    runAgainstModel(5, 300);
  });

  it('agrees with the model past 32 workers (multi-word bitsets, slot reuse)', () => {
    runAgainstModel(70, 150);
  });

  it('counts only the consecutive prefix from block 0', () => {
    const index = new BitsetKvIndex();
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
    const index = new BitsetKvIndex();
    index.stored('old', 'm', [7n, 8n]);
    index.forget('old');
    index.stored('new', 'm', [9n]);
    expect(index.match('m', [7n, 8n], ['new'])).toEqual([{ workerId: 'new', matchedBlocks: 0 }]);
    expect(index.stats()).toEqual({ blocksIndexed: 1, workers: 1 });
  });
});
