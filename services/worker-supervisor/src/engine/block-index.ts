/** Scratch for splitting a 64-bit key into two 32-bit halves without allocating. */
const wide = new BigUint64Array(1);
const halves = new Uint32Array(wide.buffer);

/**
 * The prefix cache's hash -> block map for one model: open addressing with linear probing over
 * typed arrays, keyed by the 64-bit block key. A `Map<bigint, number>` hashes and boxes BigInts
 * on every call; this stores the key's halves and probes by its low bits (block keys are SHA-256
 * prefixes, so they are uniform). Deletion shifts the probe run back, so there are no tombstones.
 * Capacity is fixed: at least twice `maxEntries` slots, and inserting more than `maxEntries`
 * throws (the pool never holds more hashed blocks than it has blocks).
 */
export class BlockIndex {
  private readonly lo: Uint32Array;
  private readonly hi: Uint32Array;
  /** Block per slot, -1 when the slot is empty. */
  private readonly block: Int32Array;
  private readonly mask: number;
  private count = 0;

  constructor(private readonly maxEntries: number) {
    let cap = 16;
    while (cap < 2 * maxEntries) cap *= 2;
    this.lo = new Uint32Array(cap);
    this.hi = new Uint32Array(cap);
    this.block = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The block holding `key`, or -1. */
  get(key: bigint): number {
    wide[0] = key;
    const lo = halves[0]!;
    const hi = halves[1]!;
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const b = this.block[i]!;
      if (b < 0) return -1;
      if (this.lo[i] === lo && this.hi[i] === hi) return b;
    }
  }

  /** Inserts `key` -> `block`; false (changing nothing) when `key` is already present. */
  add(key: bigint, block: number): boolean {
    wide[0] = key;
    const lo = halves[0]!;
    const hi = halves[1]!;
    let i = lo & this.mask;
    for (; this.block[i]! >= 0; i = (i + 1) & this.mask) {
      if (this.lo[i] === lo && this.hi[i] === hi) return false;
    }
    if (this.count >= this.maxEntries) throw new Error(`block index is full (${this.maxEntries} entries)`);
    this.lo[i] = lo;
    this.hi[i] = hi;
    this.block[i] = block;
    this.count++;
    return true;
  }

  /** Removes `key`; false when it was absent. */
  delete(key: bigint): boolean {
    wide[0] = key;
    const lo = halves[0]!;
    const hi = halves[1]!;
    let i = lo & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      if (this.block[i]! < 0) return false;
      if (this.lo[i] === lo && this.hi[i] === hi) break;
    }
    // Backward-shift: move later members of the probe run into the hole when their home allows.
    let hole = i;
    for (let j = (hole + 1) & this.mask; this.block[j]! >= 0; j = (j + 1) & this.mask) {
      const home = this.lo[j]! & this.mask;
      const distHole = (hole - home) & this.mask;
      const distJ = (j - home) & this.mask;
      if (distHole <= distJ) {
        this.lo[hole] = this.lo[j]!;
        this.hi[hole] = this.hi[j]!;
        this.block[hole] = this.block[j]!;
        hole = j;
      }
    }
    this.block[hole] = -1;
    this.count--;
    return true;
  }

  /** Every block held, in slot order. */
  *values(): IterableIterator<number> {
    for (let i = 0; i < this.block.length; i++) if (this.block[i]! >= 0) yield this.block[i]!;
  }
}
