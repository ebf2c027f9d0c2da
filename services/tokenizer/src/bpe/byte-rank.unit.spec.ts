import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { ByteVocab, hashBytes } from './byte-vocab.js';
import { RankMerger } from './rank-merger.js';

// The byte-keyed vocabulary and tiktoken's merge, each against the obvious implementation:
// a Map from byte strings to ranks, and byte_pair_merge as tiktoken writes it (re-scan the
// byte ranges for the lowest rank after every merge).

/** A toy rank table: the 256 bytes (in a shuffled order), then random strings over a, b, c (so ties and overlaps abound). */
function toyRanks(seed: number): (string | number[] | undefined)[] {
  const bytes = fc.sample(fc.shuffledSubarray(Array.from({ length: 256 }, (_, b) => b), { minLength: 256 }), { numRuns: 1, seed })[0]!;
  const ranks: (string | number[] | undefined)[] = bytes.map((b) => [b]);
  const seen = new Set<string>();
  for (const s of fc.sample(fc.string({ unit: fc.constantFrom('a', 'b', 'c'), minLength: 2, maxLength: 6 }), { numRuns: 120, seed })) {
    if (seen.has(s)) continue;
    seen.add(s);
    ranks.push(s);
    if (ranks.length % 7 === 0) ranks.push(undefined);
  }
  return ranks;
}

function latin1Map(ranks: readonly (string | number[] | undefined)[]): Map<string, number> {
  const map = new Map<string, number>();
  ranks.forEach((v, rank) => {
    if (v !== undefined) map.set(typeof v === 'string' ? Buffer.from(v, 'utf8').toString('latin1') : String.fromCharCode(...v), rank);
  });
  return map;
}

/** tiktoken's byte_pair_merge, written plainly: the ranks of the final parts. */
function referenceMerge(map: Map<string, number>, bytes: Uint8Array): number[] {
  const s = Buffer.from(bytes).toString('latin1');
  const parts = Array.from({ length: s.length + 1 }, (_, i) => i);
  for (;;) {
    let best = Infinity;
    let at = -1;
    for (let i = 0; i + 2 < parts.length; i++) {
      const r = map.get(s.slice(parts[i], parts[i + 2])) ?? Infinity;
      if (r < best) {
        best = r;
        at = i;
      }
    }
    if (at < 0) break;
    parts.splice(at + 1, 1);
  }
  return parts.slice(0, -1).map((p, i) => map.get(s.slice(p, parts[i + 1]))!);
}

/** Mostly a, b and c (so merges chain), some other bytes; lengths spread over both merge paths (the heap above 48 bytes). */
const abc = fc.integer({ min: 0, max: 160 })
  .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
  .map((a) => a.map((x) => (x < 200 ? 0x61 + (x % 3) : x)));

describe('ByteVocab', () => {
  const ranks = toyRanks(5);
  const vocab = new ByteVocab(ranks);
  const map = latin1Map(ranks);
  const find = (bytes: Uint8Array): number => vocab.find(bytes, bytes.length, hashBytes(bytes, 0, bytes.length));

  it('finds every token at its rank and knows its length', () => {
    for (const [key, rank] of map) {
      expect(find(Buffer.from(key, 'latin1'))).toBe(rank);
      expect(vocab.lengthOf(rank)).toBe(key.length);
    }
  });

  it('answers like a Map on random byte strings', () => {
    fc.assert(fc.property(abc.map((a) => a.subarray(0, 8)), (bytes) => {
      expect(find(bytes)).toBe(map.get(Buffer.from(bytes).toString('latin1')) ?? -1);
    }), { seed: 1, numRuns: 3000 });
  });

  it('keeps the higher rank of a byte string given twice, and has no bytes for a hole', () => {
    const v = new ByteVocab(['x', undefined, [0x78], 'xy']);
    expect(v.find(Uint8Array.of(0x78), 1, hashBytes(Uint8Array.of(0x78), 0, 1))).toBe(2);
    expect(v.lengthOf(1)).toBe(0);
  });
});

describe('RankMerger', () => {
  const ranks = toyRanks(8);
  const vocab = new ByteVocab(ranks);
  const map = latin1Map(ranks);
  const byteIds = new Int32Array(256);
  for (let b = 0; b < 256; b++) byteIds[b] = map.get(String.fromCharCode(b))!;

  const check = (merger: RankMerger, bytes: Uint8Array): void => {
    const syms = new Int32Array(bytes.length + 1);
    const n = merger.mergeBytes(bytes, bytes.length, syms);
    expect([Buffer.from(bytes).toString('latin1'), Array.from(syms.subarray(0, n))]).toEqual([Buffer.from(bytes).toString('latin1'), referenceMerge(map, bytes)]);
  };

  it('merges as tiktoken\'s byte_pair_merge, short pieces (linear scan) and long ones (blocks of minima)', () => {
    const merger = new RankMerger(vocab, byteIds);
    fc.assert(fc.property(abc, (bytes) => check(merger, bytes)), { seed: 2, numRuns: 1500 });
  });

  it('merges as byte_pair_merge with the heap that takes the longest pieces', () => {
    const merger = new RankMerger(vocab, byteIds, 20, 48);
    fc.assert(fc.property(abc, (bytes) => check(merger, bytes)), { seed: 4, numRuns: 800 });
  });

  it('gives the same ids while its pair cache grows and starts over', () => {
    const merger = new RankMerger(vocab, byteIds, 5);
    fc.assert(fc.property(abc, (bytes) => check(merger, bytes)), { seed: 3, numRuns: 500 });
  });

  it('merges token ids given directly', () => {
    const merger = new RankMerger(vocab, byteIds);
    const bytes = Buffer.from('abcabcabcab', 'latin1');
    const syms = Int32Array.from(bytes, (b) => byteIds[b]!);
    expect(Array.from(syms.subarray(0, merger.merge(syms, syms.length)))).toEqual(referenceMerge(map, bytes));
  });
});
