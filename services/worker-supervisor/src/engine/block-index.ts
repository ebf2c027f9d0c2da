/** Scratch for splitting a 64-bit key into two 32-bit halves without allocating. */
const wide = new BigUint64Array(1);
const halves = new Int32Array(wide.buffer);

/** Int32 words per slot: key low half, key high half, block + 1 (0: empty), padding. */
const STRIDE = 4;

/** Slots of a new index (16 KiB); it doubles from there as blocks are committed. */
const INITIAL_SLOTS = 1024;

/**
 * The prefix cache's hash -> block map for one model: open addressing with linear probing over
 * one typed array, keyed by the 64-bit block key. A `Map<bigint, number>` hashes and boxes BigInts
 * on every call; this stores the key's halves and probes by its low bits (block keys are SHA-256
 * prefixes, so they are uniform). A slot's key and block sit together in 16 bytes, so a probe
 * costs one cache line, not one per field (a fleet of engines does not fit in the CPU's caches).
 * Empty slots are zeros, so a new index costs no initialisation pass. Deletion shifts the probe
 * run back, so there are no tombstones. The table starts small and doubles while it is more than
 * half full, up to the first power of two of at least twice `maxEntries` slots: an engine that
 * caches little touches little memory (a fresh 1 MiB table filled at random costs a page fault
 * per 4 KiB page, which dominated short simulations of large fleets). Inserting more than
 * `maxEntries` throws (the pool never holds more hashed blocks than it has blocks).
 */
export class BlockIndex {
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  /** Slots of the largest table: the first power of two >= 2 * maxEntries. */
  private readonly maxCapacity: number;

  constructor(private readonly maxEntries: number) {
    let cap = 16;
    while (cap < 2 * maxEntries) cap *= 2;
    this.maxCapacity = cap;
    const initial = Math.min(cap, INITIAL_SLOTS);
    this.slots = new Int32Array(initial * STRIDE);
    this.mask = initial - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The block holding `key`, or -1. */
  get(key: bigint): number {
    wide[0] = key;
    const lo = halves[0]!;
    const hi = halves[1]!;
    const s = this.slots;
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * STRIDE;
      const b = s[at + 2]!;
      if (b === 0) return -1;
      if (s[at] === lo && s[at + 1] === hi) return b - 1;
    }
  }

  /** Inserts `key` -> `block`; false (changing nothing) when `key` is already present. */
  add(key: bigint, block: number): boolean {
    wide[0] = key;
    const lo = halves[0]!;
    const hi = halves[1]!;
    const s = this.slots;
    let i = lo & this.mask;
    for (; s[i * STRIDE + 2] !== 0; i = (i + 1) & this.mask) {
      if (s[i * STRIDE] === lo && s[i * STRIDE + 1] === hi) return false;
    }
    if (this.count >= this.maxEntries) throw new Error(`block index is full (${this.maxEntries} entries)`);
    if (2 * (this.count + 1) > this.mask + 1 && this.mask + 1 < this.maxCapacity) {
      this.resize(2 * (this.mask + 1));
      i = this.freeSlotFor(lo);
    }
    this.put(i, lo, hi, block + 1);
    this.count++;
    return true;
  }

  /** Removes `key`; false when it was absent. */
  delete(key: bigint): boolean {
    wide[0] = key;
    const lo = halves[0]!;
    const hi = halves[1]!;
    const s = this.slots;
    const mask = this.mask;
    let i = lo & mask;
    for (; ; i = (i + 1) & mask) {
      if (s[i * STRIDE + 2] === 0) return false;
      if (s[i * STRIDE] === lo && s[i * STRIDE + 1] === hi) break;
    }
    // Backward-shift: move later members of the probe run into the hole when their home allows.
    let hole = i;
    for (let j = (hole + 1) & mask; s[j * STRIDE + 2] !== 0; j = (j + 1) & mask) {
      const home = s[j * STRIDE]! & mask;
      const distHole = (hole - home) & mask;
      const distJ = (j - home) & mask;
      if (distHole <= distJ) {
        s[hole * STRIDE] = s[j * STRIDE]!;
        s[hole * STRIDE + 1] = s[j * STRIDE + 1]!;
        s[hole * STRIDE + 2] = s[j * STRIDE + 2]!;
        hole = j;
      }
    }
    s[hole * STRIDE + 2] = 0;
    this.count--;
    return true;
  }

  /** Every block held, in slot order. */
  *values(): IterableIterator<number> {
    const s = this.slots;
    for (let i = 2; i < s.length; i += STRIDE) if (s[i]! !== 0) yield s[i]! - 1;
  }

  /** The first empty slot of `lo`'s probe run (the key must be absent). */
  private freeSlotFor(lo: number): number {
    let i = lo & this.mask;
    while (this.slots[i * STRIDE + 2] !== 0) i = (i + 1) & this.mask;
    return i;
  }

  private put(i: number, lo: number, hi: number, blockPlusOne: number): void {
    const at = i * STRIDE;
    this.slots[at] = lo;
    this.slots[at + 1] = hi;
    this.slots[at + 2] = blockPlusOne;
  }

  /** Moves every entry into a table of `cap` slots (a power of two). */
  private resize(cap: number): void {
    const old = this.slots;
    this.slots = new Int32Array(cap * STRIDE);
    this.mask = cap - 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at + 2] !== 0) this.put(this.freeSlotFor(old[at]!), old[at]!, old[at + 1]!, old[at + 2]!);
    }
  }
}
