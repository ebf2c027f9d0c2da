/** Int32 words per bucket: model + 1 (0: empty) with the INLINE flag, hash high 32, hash low 32, holder. */
const STRIDE = 4;
/** Flag of a bucket's model word: its holder is a bitmask of slots 0..31 (two of them or more). */
const INLINE = 1 << 30;
const MODEL_MASK = INLINE - 1;

/**
 * An open-addressing hash table from (model, 64-bit block hash) to a holder reference, stored as
 * one typed array of 16-byte buckets (no per-entry object). A bucket's key and holder share one
 * cache line, so a probe costs one memory access, not one per field. Not part of the package
 * API: the index owns the meaning of `holder` (a bitmask of slots 0..31 when the bucket's INLINE
 * flag is set, else a worker slot when >= 0, else `~offset` of a set in the SlotSetPool).
 *
 * The hash arrives as two 32-bit halves (stored as int32); the model as a small integer, stored
 * +1 so that 0 marks an empty bucket (bit 30 of that word is the INLINE flag). Linear probing
 * with backward-shift deletion keeps no tombstones, so lookups of absent keys (the common miss
 * in Match) stop at the first empty bucket. The load factor is kept in (1/8, 3/4]: the table doubles above it and halves when a
 * sweep leaves it mostly empty.
 */
export class BlockTable {
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  /** The table never shrinks below its initial size (a caller that sized it for its fleet keeps that). */
  private readonly floor: number;

  constructor(initialCapacity = 1024) {
    const cap = pow2AtLeast(Math.max(16, initialCapacity));
    this.slots = new Int32Array(cap * STRIDE);
    this.mask = cap - 1;
    this.floor = Math.max(1024, cap);
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** Whether bucket `i` holds a key. */
  occupied(i: number): boolean {
    return this.slots[i * STRIDE] !== 0;
  }

  /** The holder reference of occupied bucket `i` (a bitmask when `inlineAt(i)`). */
  holderAt(i: number): number {
    return this.slots[i * STRIDE + 3]!;
  }

  /** Whether bucket `i`'s holder is a bitmask of slots 0..31 rather than a slot or a set reference. */
  inlineAt(i: number): boolean {
    return (this.slots[i * STRIDE]! & INLINE) !== 0;
  }

  /** Sets a slot (>= 0) or a set reference (< 0) as bucket `i`'s holder. */
  setHolder(i: number, holder: number): void {
    this.slots[i * STRIDE] = this.slots[i * STRIDE]! & MODEL_MASK;
    this.slots[i * STRIDE + 3] = holder;
  }

  /** Sets a bitmask of slots 0..31 (at least two bits) as bucket `i`'s holder. */
  setInlineHolders(i: number, mask: number): void {
    this.slots[i * STRIDE] = this.slots[i * STRIDE]! | INLINE;
    this.slots[i * STRIDE + 3] = mask;
  }

  /** The bucket of the key, or -1. */
  find(model: number, hi: number, lo: number): number {
    const m = model + 1;
    const h = hi | 0;
    const l = lo | 0;
    const s = this.slots;
    let i = bucketOf(m, hi, lo) & this.mask;
    for (;;) {
      const at = i * STRIDE;
      const k = s[at]!;
      if (k === 0) return -1;
      if ((k & MODEL_MASK) === m && s[at + 2] === l && s[at + 1] === h) return i;
      i = (i + 1) & this.mask;
    }
  }

  /**
   * The bucket of the key when present (changing nothing), else inserts it with `holder` and
   * returns `~bucket` (negative): one probe where `find` then `insert` would take two.
   */
  findOrInsert(model: number, hi: number, lo: number, holder: number): number {
    if ((this.count + 1) * 4 > this.capacity * 3) this.resize(this.capacity * 2);
    const m = model + 1;
    const h = hi | 0;
    const l = lo | 0;
    const s = this.slots;
    let i = bucketOf(m, hi, lo) & this.mask;
    for (;;) {
      const at = i * STRIDE;
      const k = s[at]!;
      if (k === 0) {
        s[at] = m;
        s[at + 1] = h;
        s[at + 2] = l;
        s[at + 3] = holder;
        this.count++;
        return ~i;
      }
      if ((k & MODEL_MASK) === m && s[at + 2] === l && s[at + 1] === h) return i;
      i = (i + 1) & this.mask;
    }
  }

  /**
   * Empties bucket `i`, pulling later entries of its probe run back so that no tombstone is
   * needed. Entries only move into `i` or later buckets of the same run, so a caller scanning
   * buckets in order revisits `i` and may see an already-visited entry again (from the wrapped
   * start of the table), never miss one.
   */
  deleteAt(i: number): void {
    const mask = this.mask;
    const s = this.slots;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const at = j * STRIDE;
      const m = s[at]!;
      if (m === 0) break;
      const home = bucketOf(m & MODEL_MASK, s[at + 1]!, s[at + 2]!) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        const to = hole * STRIDE;
        s[to] = m;
        s[to + 1] = s[at + 1]!;
        s[to + 2] = s[at + 2]!;
        s[to + 3] = s[at + 3]!;
        hole = j;
      }
    }
    s[hole * STRIDE] = 0;
    this.count--;
  }

  /** Halves the table while it is less than 1/8 full (after a sweep freed many entries), down to its initial size. */
  shrinkToFit(): void {
    let cap = this.capacity;
    while (cap > this.floor && this.count * 8 < cap) cap >>>= 1;
    if (cap !== this.capacity) this.resize(cap);
  }

  /** Bytes of the bucket array. */
  bytes(): number {
    return this.capacity * STRIDE * 4;
  }

  private resize(cap: number): void {
    const old = this.slots;
    const s = new Int32Array(cap * STRIDE);
    this.slots = s;
    this.mask = cap - 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      const m = old[at]!;
      if (m === 0) continue;
      let i = bucketOf(m & MODEL_MASK, old[at + 1]!, old[at + 2]!) & this.mask;
      while (s[i * STRIDE] !== 0) i = (i + 1) & this.mask;
      const to = i * STRIDE;
      s[to] = m;
      s[to + 1] = old[at + 1]!;
      s[to + 2] = old[at + 2]!;
      s[to + 3] = old[at + 3]!;
    }
  }
}

/**
 * Mixes the key to 32 bits. Real block hashes are SHA-256 prefixes and already uniform, but
 * tests and synthetic loads use small integers, so every input bit is still spread (a murmur3
 * style finaliser over the three words).
 */
function bucketOf(model: number, hi: number, lo: number): number {
  let h = Math.imul(lo ^ Math.imul(model, 0x9e3779b1), 0x85ebca6b);
  h ^= Math.imul(hi ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  return h ^ (h >>> 15);
}

function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
