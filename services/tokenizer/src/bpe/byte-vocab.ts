/** FNV-1a's 32-bit offset basis: the starting value of `hashStep` chains. */
export const HASH_SEED = 0x811c9dc5 | 0;

/** One FNV-1a step: the hash of a byte string extended by byte `b` (0-255). */
export function hashStep(h: number, b: number): number {
  return Math.imul(h ^ b, 0x01000193);
}

/** The FNV-1a hash of `bytes[from..to)`. */
export function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = HASH_SEED;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h;
}

/**
 * A vocabulary of byte strings (tiktoken ranks) with an allocation-free lookup by bytes: every
 * token's bytes back to back in one slab, and an open-addressing table (linear probing, load
 * factor at most 1/2) of ranks with their 32-bit hashes, so that looking up a piece is one pass
 * over its bytes (hashed while they are written) and, on a hash match, one byte comparison;
 * a miss compares no bytes in nearly every case. Memory: the slab (1.2 MB for o200k_base) plus
 * 8 bytes per slot (4 MB for o200k_base).
 */
export class ByteVocab {
  /** Rank r's bytes are `bytes[starts[r] .. starts[r + 1])`; a rank the table lacks has none. */
  readonly bytes: Uint8Array;
  readonly starts: Int32Array;
  /** Slot i: table[2i] = rank (-1: empty), table[2i + 1] = its hash (one cache line per probe). */
  private readonly table: Int32Array;
  private readonly shift: number;
  private readonly mask: number;

  /**
   * @param ranks index = rank; a string (the token's bytes as UTF-8 text) or its bytes; holes
   *   allowed. A byte string given twice keeps the higher rank (as a Map filled in order would).
   */
  constructor(ranks: readonly (string | readonly number[] | undefined)[]) {
    let slab = Buffer.allocUnsafe(Math.max(1024, ranks.length * 8));
    const starts = new Int32Array(ranks.length + 1);
    let at = 0;
    let count = 0;
    for (let rank = 0; rank < ranks.length; rank++) {
      starts[rank] = at;
      const value = ranks[rank];
      if (value === undefined) continue;
      count++;
      const need = typeof value === 'string' ? 3 * value.length : value.length;
      if (at + need > slab.length) {
        const bigger = Buffer.allocUnsafe(2 * slab.length + need);
        slab.copy(bigger, 0, 0, at);
        slab = bigger;
      }
      if (typeof value === 'string') at += slab.write(value, at, 'utf8');
      else for (const b of value) slab[at++] = b;
    }
    starts[ranks.length] = at;
    this.bytes = Uint8Array.prototype.slice.call(slab, 0, at);
    this.starts = starts;
    let bits = 4;
    while (1 << bits < 2 * count) bits++;
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    this.table = new Int32Array(2 << bits).fill(-1);
    for (let rank = 0; rank < ranks.length; rank++) {
      if (ranks[rank] !== undefined) this.insert(rank, hashBytes(this.bytes, starts[rank]!, starts[rank + 1]!));
    }
  }

  /** The rank of `buf[0..n)`, whose `hashBytes` is `hash`, or -1. */
  find(buf: Uint8Array, n: number, hash: number): number {
    const table = this.table;
    const mask = this.mask;
    let i = Math.imul(hash, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const rank = table[2 * i]!;
      if (rank < 0) return -1;
      if (table[2 * i + 1] === hash && this.equals(rank, buf, n)) return rank;
      i = (i + 1) & mask;
    }
  }

  /** The number of bytes of `rank` (0 for a hole). */
  lengthOf(rank: number): number {
    return this.starts[rank + 1]! - this.starts[rank]!;
  }

  private equals(rank: number, buf: Uint8Array, n: number): boolean {
    const from = this.starts[rank]!;
    if (this.starts[rank + 1]! - from !== n) return false;
    const bytes = this.bytes;
    for (let i = 0; i < n; i++) if (bytes[from + i] !== buf[i]) return false;
    return true;
  }

  private insert(rank: number, hash: number): void {
    const from = this.starts[rank]!;
    const n = this.starts[rank + 1]! - from;
    const key = this.bytes.subarray(from, from + n);
    let i = Math.imul(hash, 0x9e3779b1) >>> this.shift;
    const table = this.table;
    while (table[2 * i] !== -1) {
      if (table[2 * i + 1] === hash && this.equals(table[2 * i]!, key, n)) break;
      i = (i + 1) & this.mask;
    }
    table[2 * i] = rank;
    table[2 * i + 1] = hash;
  }
}
