/**
 * An open-addressing hash table from (model, 64-bit block hash) to a holder reference, stored as
 * four parallel typed arrays (16 bytes per bucket, no per-entry object). Not part of the package
 * API: the index owns the meaning of `holder` (a worker slot when >= 0, else `~offset` of a set
 * in the SlotSetPool).
 *
 * The hash arrives as two 32-bit halves; the model as a small integer, stored +1 so that 0 marks
 * an empty bucket. Linear probing with backward-shift deletion keeps no tombstones, so lookups
 * of absent keys (the common miss in Match) stop at the first empty bucket. The load factor is
 * kept in (1/8, 3/4]: the table doubles above it and halves when a sweep leaves it mostly empty.
 */
export class BlockTable {
  keyModel: Uint32Array;
  keyHi: Uint32Array;
  keyLo: Uint32Array;
  holder: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    const cap = pow2AtLeast(Math.max(16, initialCapacity));
    this.keyModel = new Uint32Array(cap);
    this.keyHi = new Uint32Array(cap);
    this.keyLo = new Uint32Array(cap);
    this.holder = new Int32Array(cap);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** The bucket of the key, or -1. */
  find(model: number, hi: number, lo: number): number {
    const m = model + 1;
    const km = this.keyModel;
    let i = bucketOf(m, hi, lo) & this.mask;
    for (;;) {
      const k = km[i]!;
      if (k === 0) return -1;
      if (k === m && this.keyLo[i] === lo && this.keyHi[i] === hi) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** Inserts a key known to be absent with its first holder; returns its bucket. */
  insert(model: number, hi: number, lo: number, holder: number): number {
    if ((this.count + 1) * 4 > this.capacity * 3) this.resize(this.capacity * 2);
    const m = model + 1;
    let i = bucketOf(m, hi, lo) & this.mask;
    while (this.keyModel[i] !== 0) i = (i + 1) & this.mask;
    this.keyModel[i] = m;
    this.keyHi[i] = hi;
    this.keyLo[i] = lo;
    this.holder[i] = holder;
    this.count++;
    return i;
  }

  /**
   * Empties bucket `i`, pulling later entries of its probe run back so that no tombstone is
   * needed. Entries only move into `i` or later buckets of the same run, so a caller scanning
   * buckets in order revisits `i` and may see an already-visited entry again (from the wrapped
   * start of the table), never miss one.
   */
  deleteAt(i: number): void {
    const mask = this.mask;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const m = this.keyModel[j]!;
      if (m === 0) break;
      const home = bucketOf(m, this.keyHi[j]!, this.keyLo[j]!) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        this.keyModel[hole] = m;
        this.keyHi[hole] = this.keyHi[j]!;
        this.keyLo[hole] = this.keyLo[j]!;
        this.holder[hole] = this.holder[j]!;
        hole = j;
      }
    }
    this.keyModel[hole] = 0;
    this.count--;
  }

  /** Halves the table while it is less than 1/8 full (after a sweep freed many entries). */
  shrinkToFit(): void {
    let cap = this.capacity;
    while (cap > 1024 && this.count * 8 < cap) cap >>>= 1;
    if (cap !== this.capacity) this.resize(cap);
  }

  /** Bytes of the four arrays. */
  bytes(): number {
    return this.capacity * 16;
  }

  private resize(cap: number): void {
    const { keyModel, keyHi, keyLo, holder } = this;
    this.keyModel = new Uint32Array(cap);
    this.keyHi = new Uint32Array(cap);
    this.keyLo = new Uint32Array(cap);
    this.holder = new Int32Array(cap);
    this.mask = cap - 1;
    for (let j = 0; j < keyModel.length; j++) {
      const m = keyModel[j]!;
      if (m === 0) continue;
      let i = bucketOf(m, keyHi[j]!, keyLo[j]!) & this.mask;
      while (this.keyModel[i] !== 0) i = (i + 1) & this.mask;
      this.keyModel[i] = m;
      this.keyHi[i] = keyHi[j]!;
      this.keyLo[i] = keyLo[j]!;
      this.holder[i] = holder[j]!;
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
