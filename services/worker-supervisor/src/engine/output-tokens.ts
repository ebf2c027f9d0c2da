import { createHash } from 'node:crypto';

/**
 * Deterministic stand-in for sampling. A sequence's i-th output token depends only on (model,
 * seed, prompt tokens, i), never on the request id, timing, batch or worker, so a request retried
 * or migrated elsewhere produces the same ids, and identical requests share output KV blocks.
 */
export class OutputTokens {
  private readonly k0: number;
  private readonly k1: number;

  constructor(
    model: string,
    seed: bigint,
    prompt: ArrayLike<number>,
    private readonly vocabSize: number,
    private readonly firstToken = 0,
  ) {
    const h = createHash('sha256').update(model).update('\0').update(seed.toString()).update('\0');
    const buf = Buffer.allocUnsafe(4 * prompt.length);
    for (let i = 0; i < prompt.length; i++) buf.writeUInt32LE(prompt[i]! >>> 0, 4 * i);
    const d = h.update(buf).digest();
    this.k0 = d.readUInt32LE(0);
    this.k1 = d.readUInt32LE(4);
  }

  /** The token at output position `i` (0-based), in [firstToken, vocabSize). */
  at(i: number): number {
    const a = fmix32(this.k0 ^ Math.imul(i + 1, 0x9e3779b1));
    const b = fmix32(this.k1 ^ a ^ i);
    // 53 bits of hash keep the modulo bias below 2^-30 for any vocabulary here.
    return this.firstToken + ((a * 2 ** 21 + (b >>> 11)) % (this.vocabSize - this.firstToken));
  }
}

/** MurmurHash3's 32-bit finaliser: a cheap full-avalanche mix. */
function fmix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
