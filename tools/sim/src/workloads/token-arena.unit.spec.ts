import { describe, expect, it } from '@jest/globals';
import { releaseTokens, tokenArray } from './token-arena.js';

describe('token arena', () => {
  it('reuses a slab only after every array carved from it was released', () => {
    const held = tokenArray(1000);
    const first = [held, ...Array.from({ length: 7 }, () => tokenArray(1 << 17))];
    // The next slab: the first is full and still has `held` alive.
    const second = tokenArray(1 << 18);
    expect(second.buffer).not.toBe(held.buffer);
    for (const a of first.slice(1)) releaseTokens(a);
    for (let i = 0; i < 3; i++) tokenArray(1 << 18);
    // The first slab is not reused while `held` lives: a new slab comes next.
    const third = tokenArray(1 << 18);
    expect(third.buffer).not.toBe(held.buffer);
    held.fill(9);
    releaseTokens(held);
    const reuses: ArrayBufferLike[] = [];
    for (let i = 0; i < 8; i++) reuses.push(tokenArray(1 << 18).buffer);
    expect(reuses).toContain(held.buffer);
  });

  it('refuses a double release and ignores arrays it did not make', () => {
    const a = tokenArray(16);
    const b = tokenArray(16);
    releaseTokens(a);
    releaseTokens(new Uint32Array(16));
    expect(() => {
      releaseTokens(a);
      releaseTokens(a);
    }).toThrow(/twice/);
    releaseTokens(b);
  });
});
