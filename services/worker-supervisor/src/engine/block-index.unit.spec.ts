import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BlockIndex } from './block-index.js';

/** Block records as the pool keeps them: two int32 words per block, the key's high half in the second. */
function records(blocks: number): { words: Int32Array; stride: number; offset: number; write(block: number, key: bigint): void } {
  const words = new Int32Array(blocks * 2);
  return {
    words,
    stride: 2,
    offset: 1,
    write: (block, key) => {
      words[block * 2 + 1] = Number(BigInt.asIntN(32, key >> 32n));
    },
  };
}

describe('BlockIndex (typed-array hash -> block map)', () => {
  it('agrees with a Map under random adds and deletes, colliding keys included', () => {
    // Keys drawn from a small pool with equal low bits, so probe runs form and deletions shift them.
    const key = fc.integer({ min: 0, max: 40 }).map((k) => (BigInt(k % 7) << 40n) | (BigInt(k) << 32n) | BigInt((k % 3) * 64));
    const op = fc.tuple(fc.constantFrom('add', 'delete', 'deleteBlock', 'get'), key);
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.integer({ min: 16, max: 256 }), (ops, initial) => {
        const rec = records(ops.length + 1);
        const idx = new BlockIndex(64, rec, initial);
        const ref = new Map<bigint, number>();
        let nextBlock = 0;
        for (const [kind, k] of ops) {
          if (kind === 'add') {
            // A fresh block per add, its record written first (the pool's contract).
            const block = nextBlock++;
            rec.write(block, k);
            expect(idx.add(k, block)).toBe(!ref.has(k));
            if (!ref.has(k)) ref.set(k, block);
          } else if (kind === 'delete') {
            expect(idx.delete(k)).toBe(ref.delete(k));
          } else if (kind === 'deleteBlock') {
            const block = ref.get(k);
            if (block !== undefined) {
              expect(idx.deleteBlock(k, ops.length + 1)).toBe(false);
              expect(idx.deleteBlock(k, block)).toBe(true);
              ref.delete(k);
            }
          }
          expect(idx.get(k)).toBe(ref.get(k) ?? -1);
          expect(idx.size).toBe(ref.size);
        }
        for (const [k, b] of ref) expect(idx.get(k)).toBe(b);
        expect([...idx.values()].sort((a, b) => a - b)).toEqual([...ref.values()].sort((a, b) => a - b));
      }),
      { numRuns: 200 },
    );
  });

  it('grows from its small initial table to full capacity without losing or duplicating entries', () => {
    const max = 10_000;
    const rec = records(max + 1);
    const idx = new BlockIndex(max, rec);
    const ref = new Map<bigint, number>();
    // Keys whose low halves collide in runs of 4, so probe runs cross every resize.
    const key = (i: number): bigint => (BigInt(i) << 32n) | BigInt(Math.floor(i / 4) * 4096);
    for (let i = 0; i < max; i++) {
      rec.write(i, key(i));
      expect(idx.add(key(i), i)).toBe(true);
      ref.set(key(i), i);
      if (i % 3 === 0) {
        expect(idx.delete(key(i))).toBe(true);
        ref.delete(key(i));
      }
    }
    expect(idx.size).toBe(ref.size);
    for (let i = 0; i < max; i++) expect(idx.get(key(i))).toBe(ref.get(key(i)) ?? -1);
    for (let i = 0; i < max && idx.size < max; i += 3) expect(idx.add(key(i), i)).toBe(true);
    expect(idx.size).toBe(max);
    rec.write(max, key(max));
    expect(() => idx.add(key(max), max)).toThrow(/full/);
    expect(new Set(idx.values()).size).toBe(max);
  });

  it('tells full 64-bit keys apart by the records and refuses more entries than it was sized for', () => {
    const rec = records(4);
    const idx = new BlockIndex(2, rec);
    rec.write(1, 0xffff_ffff_0000_0001n);
    expect(idx.add(0xffff_ffff_0000_0001n, 1)).toBe(true);
    rec.write(2, 0x0000_0001_0000_0001n);
    expect(idx.add(0x0000_0001_0000_0001n, 2)).toBe(true);
    expect(idx.get(0xffff_ffff_0000_0001n)).toBe(1);
    expect(idx.get(0x0000_0001_0000_0001n)).toBe(2);
    expect(idx.get(0x0000_0002_0000_0001n)).toBe(-1);
    rec.write(3, 0x0000_0001_0000_0001n);
    expect(idx.add(0x0000_0001_0000_0001n, 3)).toBe(false);
    rec.write(3, 3n);
    expect(() => idx.add(3n, 3)).toThrow(/full/);
  });
});
