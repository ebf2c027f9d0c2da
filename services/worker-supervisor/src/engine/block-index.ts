/** Scratch for splitting a 64-bit key into two 32-bit halves without allocating. */
const wide = new BigUint64Array(1);
const halves = new Int32Array(wide.buffer);

/** Int32 words per slot: key low half, block + 1 (0: empty). */
const STRIDE = 2;

/** Slots of a new index that was not told to start at full size (8 KiB); it doubles from there. */
const INITIAL_SLOTS = 1024;

/**
 * Where the high halves of the indexed keys live: `words[block * stride + offset]` is the high 32
 * bits (as int32, in the platform's order) of the key of every block in the index. The owner
 * writes it before `add` and keeps it unchanged until the block's `delete`.
 */
export interface KeyHighWords {
  readonly words: Int32Array;
  readonly stride: number;
  readonly offset: number;
}

/**
 * The prefix cache's hash -> block map for one model: open addressing with linear probing over
 * one typed array, keyed by the 64-bit block key. A `Map<bigint, number>` hashes and boxes BigInts
 * on every call; this stores the key's low half with the block in an 8-byte slot and probes by its
 * low bits (block keys are SHA-256 prefixes, so they are uniform). The high half is not stored
 * here but read from the owner's block record (`KeyHighWords`) when a slot's low half matches,
 * which a hit touches anyway: half the bytes of a slot with the whole key, so a fleet's indexes
 * take half the cache. Empty slots are zeros, so a new index costs no initialisation pass.
 * Deletion shifts the probe run back, so there are no tombstones. The table starts at
 * `initialSlots` (default 1,024) and doubles while it is more than half full, up to the first
 * power of two of at least twice `maxEntries` slots. Inserting more than `maxEntries` throws (the
 * pool never holds more hashed blocks than it has blocks).
 */
export class BlockIndex {
  private slots: Int32Array;
  private mask: number;
  private count = 0;
  /** Slots of the largest table: the first power of two >= 2 * maxEntries. */
  private readonly maxCapacity: number;
  private readonly high: Int32Array;
  private readonly highStride: number;
  private readonly highOffset: number;

  constructor(
    private readonly maxEntries: number,
    keyHigh: KeyHighWords,
    initialSlots = INITIAL_SLOTS,
  ) {
    let cap = 16;
    while (cap < 2 * maxEntries) cap *= 2;
    this.maxCapacity = cap;
    let initial = 16;
    while (initial < Math.min(cap, initialSlots)) initial *= 2;
    this.slots = new Int32Array(initial * STRIDE);
    this.mask = initial - 1;
    this.high = keyHigh.words;
    this.highStride = keyHigh.stride;
    this.highOffset = keyHigh.offset;
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
      const b = s[i * STRIDE + 1]!;
      if (b === 0) return -1;
      if (s[i * STRIDE] === lo && this.high[(b - 1) * this.highStride + this.highOffset] === hi) return b - 1;
    }
  }

  /**
   * Inserts `key` -> `block`, whose record must already hold `key`'s high half; false (changing
   * nothing) when `key` is already present.
   */
  add(key: bigint, block: number): boolean {
    wide[0] = key;
    const lo = halves[0]!;
    const hi = halves[1]!;
    const s = this.slots;
    let i = lo & this.mask;
    for (let b = s[i * STRIDE + 1]!; b !== 0; i = (i + 1) & this.mask, b = s[i * STRIDE + 1]!) {
      if (s[i * STRIDE] === lo && this.high[(b - 1) * this.highStride + this.highOffset] === hi) return false;
    }
    if (this.count >= this.maxEntries) throw new Error(`block index is full (${this.maxEntries} entries)`);
    if (2 * (this.count + 1) > this.mask + 1 && this.mask + 1 < this.maxCapacity) {
      this.resize(2 * (this.mask + 1));
      i = this.freeSlotFor(lo);
    }
    this.put(i, lo, block + 1);
    this.count++;
    return true;
  }

  /** Removes `key`; false when it was absent. */
  delete(key: bigint): boolean {
    wide[0] = key;
    const lo = halves[0]!;
    const hi = halves[1]!;
    const s = this.slots;
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const b = s[i * STRIDE + 1]!;
      if (b === 0) return false;
      if (s[i * STRIDE] === lo && this.high[(b - 1) * this.highStride + this.highOffset] === hi) {
        this.deleteAt(i);
        return true;
      }
    }
  }

  /**
   * Removes the entry of `block`, indexed under `key` (the caller knows the pair: no record is
   * read); false when it is absent.
   */
  deleteBlock(key: bigint, block: number): boolean {
    wide[0] = key;
    const lo = halves[0]!;
    const s = this.slots;
    for (let i = lo & this.mask; ; i = (i + 1) & this.mask) {
      const b = s[i * STRIDE + 1]!;
      if (b === 0) return false;
      if (b === block + 1 && s[i * STRIDE] === lo) {
        this.deleteAt(i);
        return true;
      }
    }
  }

  /** Every block held, in slot order. */
  *values(): IterableIterator<number> {
    const s = this.slots;
    for (let i = 1; i < s.length; i += STRIDE) if (s[i]! !== 0) yield s[i]! - 1;
  }

  /** Empties slot `i`, moving later members of its probe run back into the hole when their home allows. */
  private deleteAt(i: number): void {
    const s = this.slots;
    const mask = this.mask;
    let hole = i;
    for (let j = (hole + 1) & mask; s[j * STRIDE + 1] !== 0; j = (j + 1) & mask) {
      const home = s[j * STRIDE]! & mask;
      if (((hole - home) & mask) <= ((j - home) & mask)) {
        s[hole * STRIDE] = s[j * STRIDE]!;
        s[hole * STRIDE + 1] = s[j * STRIDE + 1]!;
        hole = j;
      }
    }
    s[hole * STRIDE + 1] = 0;
    this.count--;
  }

  /** The first empty slot of `lo`'s probe run (the key must be absent). */
  private freeSlotFor(lo: number): number {
    let i = lo & this.mask;
    while (this.slots[i * STRIDE + 1] !== 0) i = (i + 1) & this.mask;
    return i;
  }

  private put(i: number, lo: number, blockPlusOne: number): void {
    this.slots[i * STRIDE] = lo;
    this.slots[i * STRIDE + 1] = blockPlusOne;
  }

  /** Moves every entry into a table of `cap` slots (a power of two). */
  private resize(cap: number): void {
    const old = this.slots;
    this.slots = new Int32Array(cap * STRIDE);
    this.mask = cap - 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at + 1] !== 0) this.put(this.freeSlotFor(old[at]!), old[at]!, old[at + 1]!);
    }
  }
}
