import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BlockIndex } from './block-index.js';

describe('BlockIndex (typed-array hash -> block map)', () => {
  it('agrees with a Map under random adds and deletes, colliding keys included', () => {
    // Keys drawn from a small pool with equal low bits, so probe runs form and deletions shift them.
    const key = fc.integer({ min: 0, max: 40 }).map((k) => (BigInt(k % 7) << 40n) | (BigInt(k) << 32n) | BigInt((k % 3) * 64));
    const op = fc.tuple(fc.constantFrom('add', 'delete', 'get'), key, fc.integer({ min: 0, max: 1000 }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const idx = new BlockIndex(64);
        const ref = new Map<bigint, number>();
        for (const [kind, k, block] of ops) {
          if (kind === 'add') {
            expect(idx.add(k, block)).toBe(!ref.has(k));
            if (!ref.has(k)) ref.set(k, block);
          } else if (kind === 'delete') {
            expect(idx.delete(k)).toBe(ref.delete(k));
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
    const idx = new BlockIndex(max);
    const ref = new Map<bigint, number>();
    // Keys whose low halves collide in runs of 4, so probe runs cross every resize.
    const key = (i: number): bigint => (BigInt(i) << 32n) | BigInt(Math.floor(i / 4) * 4096);
    for (let i = 0; i < max; i++) {
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
    expect(() => idx.add(key(max), max)).toThrow(/full/);
    expect(new Set(idx.values()).size).toBe(max);
  });

  it('tells full 64-bit keys apart and refuses more entries than it was sized for', () => {
    const idx = new BlockIndex(2);
    expect(idx.add(0xffff_ffff_0000_0001n, 1)).toBe(true);
    expect(idx.add(0x0000_0001_0000_0001n, 2)).toBe(true);
    expect(idx.get(0xffff_ffff_0000_0001n)).toBe(1);
    expect(idx.get(0x0000_0001_0000_0001n)).toBe(2);
    expect(idx.get(0x0000_0002_0000_0001n)).toBe(-1);
    expect(() => idx.add(3n, 3)).toThrow(/full/);
  });
});
