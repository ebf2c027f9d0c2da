import { createHash } from 'node:crypto';
import { endianness } from 'node:os';

/** Reused preimage of the prompt's token ids, 4 little-endian bytes each (hashed synchronously, never kept). */
let scratch = new Uint32Array(16 * 1024);
const LITTLE_ENDIAN = endianness() === 'LE';

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
    const d = seedDigest(model, seed, prompt);
    this.k0 = (d.charCodeAt(0) | (d.charCodeAt(1) << 8) | (d.charCodeAt(2) << 16) | (d.charCodeAt(3) << 24)) >>> 0;
    this.k1 = (d.charCodeAt(4) | (d.charCodeAt(5) << 8) | (d.charCodeAt(6) << 16) | (d.charCodeAt(7) << 24)) >>> 0;
  }

  /** The token at output position `i` (0-based), in [firstToken, vocabSize). */
  at(i: number): number {
    const a = fmix32(this.k0 ^ Math.imul(i + 1, 0x9e3779b1));
    const b = fmix32(this.k1 ^ a ^ i);
    // 53 bits of hash keep the modulo bias below 2^-30 for any vocabulary here.
    return this.firstToken + ((a * 2 ** 21 + (b >>> 11)) % (this.vocabSize - this.firstToken));
  }
}

/**
 * SHA-256 of `model \0 seed \0` and the prompt's token ids as 4 little-endian bytes each: what
 * keys a sequence's output tokens. A typed prompt on a little-endian machine is already those
 * bytes and is hashed in place (copying an 8K-token prompt per request cost a few percent of a
 * simulation); anything else goes through a reused scratch array.
 */
function seedDigest(model: string, seed: bigint, prompt: ArrayLike<number>): string {
  const h = createHash('sha256').update(`${model}\0${seed.toString()}\0`, 'utf8');
  if (LITTLE_ENDIAN && prompt instanceof Uint32Array) {
    return h.update(new Uint8Array(prompt.buffer, prompt.byteOffset, prompt.byteLength)).digest('binary');
  }
  if (scratch.length < prompt.length) scratch = new Uint32Array(prompt.length);
  if (LITTLE_ENDIAN) {
    // Uint32Array stores ToUint32(t), i.e. t >>> 0, in the platform's (here little-endian) order.
    for (let i = 0; i < prompt.length; i++) scratch[i] = prompt[i]!;
  } else {
    for (let i = 0; i < prompt.length; i++) {
      const t = prompt[i]! >>> 0;
      scratch[i] = ((t & 0xff) << 24) | ((t & 0xff00) << 8) | ((t >>> 8) & 0xff00) | (t >>> 24);
    }
  }
  return h.update(new Uint8Array(scratch.buffer, 0, 4 * prompt.length)).digest('binary');
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
