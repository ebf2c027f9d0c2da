import { hashBytes, type ByteVocab } from './byte-vocab.js';

/** Pair rank meaning "these two tokens do not merge" (above every rank). */
const NONE = 0x7fffffff;
/** Above this many symbols blocks of minima or a heap replace the linear scans (O(n^2)). */
const LINEAR_MAX = 48;
/** Up to this many symbols (by default) blocks of minima (mergeBlocks) are used, above it a heap (O(n log n)). */
const BLOCKS_MAX = 2048;
/** Block and heap keys are rank * 2^32 + position (ranks below 2^21: an exact double, ordered by rank then position). */
const POS = 2 ** 32;
const INV_POS = 2 ** -32;

/**
 * tiktoken's `byte_pair_merge` over token ids: repeatedly the adjacent pair whose concatenated
 * bytes form the token of lowest rank (leftmost on ties) becomes that token, until no adjacent
 * pair is a token. In tiktoken's rank tables the merged token's id is its rank, so a pair needs
 * one number. Pairs are answered from a cache of pair -> rank (misses included), filled from the
 * vocabulary by bytes the first time a pair is met; it holds at most 2^19 pairs (16 MB) and
 * starts over when full. Not reentrant (scratch space per instance).
 */
export class RankMerger {
  /** Slot i: slots[4i], slots[4i + 1] = the pair (-1: empty), slots[4i + 2] = its rank or NONE: one cache line per probe. */
  private slots: Int32Array;
  private bits: number;
  private size = 0;
  /** The rank of each pair of single-byte tokens, by (first byte << 8 | second byte). */
  private readonly bytePairs = new Int32Array(1 << 16);
  private scratch = new Uint8Array(256);
  private rk = new Int32Array(64);
  private prev = new Int32Array(64);
  private next = new Int32Array(64);
  private heap = new Float64Array(192);
  private keys = new Float64Array(256);
  private mins = new Float64Array(BLOCKS_MAX >> 5);

  /**
   * @param byteIds `byteIds[b]`: the token of byte b alone.
   * @param maxBits the pair cache holds at most 2^(maxBits - 1) pairs (16 bytes per slot); it
   *   starts at 2^min(16, maxBits) slots.
   * @param blocksMax pieces of LINEAR_MAX + 1 to blocksMax (at most BLOCKS_MAX) symbols merge by
   *   blocks, longer ones by the heap (tests lower it to reach the heap with short inputs).
   */
  constructor(
    private readonly vocab: ByteVocab,
    private readonly byteIds: Int32Array,
    private readonly maxBits = 20,
    private readonly blocksMax = BLOCKS_MAX,
  ) {
    if (blocksMax > BLOCKS_MAX) throw new Error(`RankMerger: blocksMax above ${BLOCKS_MAX}`);
    this.bits = Math.min(16, maxBits);
    this.slots = new Int32Array(4 << this.bits).fill(-1);
    const two = new Uint8Array(2);
    for (let p = 0; p < 1 << 16; p++) {
      two[0] = p >> 8;
      two[1] = p & 0xff;
      const rank = vocab.find(two, 2, hashBytes(two, 0, 2));
      this.bytePairs[p] = rank < 0 ? NONE : rank;
    }
  }

  /** Merges the n bytes `buf[0..n)` into token ids in `syms[0..)` (room for n); returns their count. */
  mergeBytes(buf: Uint8Array, n: number, syms: Int32Array): number {
    const byteIds = this.byteIds;
    for (let i = 0; i < n; i++) syms[i] = byteIds[buf[i]!]!;
    if (n < 2) return n;
    if (this.rk.length < n) this.grow(n);
    if (n > LINEAR_MAX) return n <= this.blocksMax ? this.mergeBlocks(syms, n) : this.mergeHeap(syms, n);
    const rk = this.rk;
    const pairs = this.bytePairs;
    for (let i = 0; i < n - 1; i++) rk[i] = pairs[(buf[i]! << 8) | buf[i + 1]!]!;
    return this.mergeLinear(syms, n);
  }

  /** Merges `syms[0..n)` (token ids) in place; returns the new length. */
  merge(syms: Int32Array, n: number): number {
    if (n < 2) return n;
    if (this.rk.length < n) this.grow(n);
    if (n > LINEAR_MAX) return n <= this.blocksMax ? this.mergeBlocks(syms, n) : this.mergeHeap(syms, n);
    for (let i = 0; i < n - 1; i++) this.rk[i] = this.pairRank(syms[i]!, syms[i + 1]!);
    return this.mergeLinear(syms, n);
  }

  /** The rank of the token whose bytes are a's then b's, or NONE. */
  pairRank(a: number, b: number): number {
    const slots = this.slots;
    const mask = (1 << this.bits) - 1;
    let i = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> (32 - this.bits);
    for (;;) {
      const at = i << 2;
      const l = slots[at]!;
      if (l === a && slots[at + 1] === b) return slots[at + 2]!;
      if (l === -1) return this.miss(a, b);
      i = (i + 1) & mask;
    }
  }

  private miss(a: number, b: number): number {
    const v = this.vocab;
    const la = v.lengthOf(a);
    const n = la + v.lengthOf(b);
    if (this.scratch.length < n) this.scratch = new Uint8Array(2 * n);
    const buf = this.scratch;
    buf.set(v.bytes.subarray(v.starts[a]!, v.starts[a]! + la), 0);
    buf.set(v.bytes.subarray(v.starts[b]!, v.starts[b]! + n - la), la);
    const found = v.find(buf, n, hashBytes(buf, 0, n));
    const rank = found < 0 ? NONE : found;
    if (2 * (this.size + 1) > 1 << this.bits) this.rebuild();
    this.insert(a, b, rank);
    return rank;
  }

  private insert(a: number, b: number, rank: number): void {
    const slots = this.slots;
    const mask = (1 << this.bits) - 1;
    let i = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> (32 - this.bits);
    while (slots[i << 2] !== -1) i = (i + 1) & mask;
    slots[i << 2] = a;
    slots[(i << 2) + 1] = b;
    slots[(i << 2) + 2] = rank;
    this.size++;
  }

  /** Twice the slots with the pairs kept, or at 2^maxBits slots an empty table (memory stays bounded on any input). */
  private rebuild(): void {
    const old = this.slots;
    const keep = this.bits < this.maxBits;
    if (keep) this.bits++;
    this.slots = new Int32Array(4 << this.bits).fill(-1);
    this.size = 0;
    if (!keep) return;
    for (let at = 0; at < old.length; at += 4) if (old[at] !== -1) this.insert(old[at]!, old[at + 1]!, old[at + 2]!);
  }

  private grow(n: number): void {
    this.rk = new Int32Array(2 * n);
    this.prev = new Int32Array(2 * n);
    this.next = new Int32Array(2 * n);
    this.heap = new Float64Array(3 * n);
  }

  /** Short pieces (rk holds the initial pair ranks): scan for the lowest pair, merge it, shift the arrays by hand (cheaper than copyWithin on a few elements). */
  private mergeLinear(syms: Int32Array, n: number): number {
    const rk = this.rk;
    while (n > 1) {
      let best = NONE;
      let at = -1;
      for (let i = 0; i < n - 1; i++) {
        if (rk[i]! < best) {
          best = rk[i]!;
          at = i;
        }
      }
      if (at < 0) break;
      syms[at] = best;
      n--;
      for (let i = at + 1; i < n; i++) {
        syms[i] = syms[i + 1]!;
        rk[i] = rk[i + 1]!;
      }
      if (at + 1 < n) rk[at] = this.pairRank(best, syms[at + 1]!);
      if (at > 0) rk[at - 1] = this.pairRank(syms[at - 1]!, best);
    }
    return n;
  }

  /**
   * Long pieces up to BLOCKS_MAX symbols: the key of the pair at each position (rank * 2^32 +
   * position, Infinity for none) in blocks of 32 with each block's minimum, so the lowest rank,
   * leftmost on ties, is the least block minimum (its position is in the key), and a merge
   * recomputes at most three blocks: short, branch-free scans instead of a heap's unpredictable
   * comparisons and stale entries.
   */
  private mergeBlocks(syms: Int32Array, n: number): number {
    const { prev, next } = this;
    const blocks = (n + 31) >> 5;
    if (this.keys.length < blocks << 5) this.keys = new Float64Array(blocks << 5);
    const keys = this.keys;
    const mins = this.mins;
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      const r = i + 1 < n ? this.pairRank(syms[i]!, syms[i + 1]!) : NONE;
      keys[i] = r === NONE ? Infinity : r * POS + i;
    }
    keys.fill(Infinity, n, blocks << 5);
    for (let b = 0; b < blocks; b++) mins[b] = blockMin(keys, b);
    for (;;) {
      let key = Infinity;
      for (let b = 0; b < blocks; b++) key = Math.min(key, mins[b]!);
      if (key === Infinity) break;
      const rank = Math.floor(key * INV_POS);
      const pos = key - rank * POS;
      const right = next[pos]!;
      syms[pos] = rank;
      keys[right] = Infinity;
      const after = next[right]!;
      next[pos] = after;
      if (after >= 0) {
        prev[after] = pos;
        const r = this.pairRank(rank, syms[after]!);
        keys[pos] = r === NONE ? Infinity : r * POS + pos;
      } else {
        keys[pos] = Infinity;
      }
      const before = prev[pos]!;
      if (before >= 0) {
        const r = this.pairRank(syms[before]!, rank);
        keys[before] = r === NONE ? Infinity : r * POS + before;
      }
      const bp = pos >> 5;
      mins[bp] = blockMin(keys, bp);
      if (right >> 5 !== bp) mins[right >> 5] = blockMin(keys, right >> 5);
      if (before >= 0 && before >> 5 !== bp) mins[before >> 5] = blockMin(keys, before >> 5);
    }
    let out = 0;
    for (let i = 0; i >= 0; i = next[i]!) syms[out++] = syms[i]!;
    return out;
  }

  /**
   * Long pieces: a linked list of symbols and a min-heap of (rank, position) pairs, ordered by
   * rank then position. rk[i] is the current rank of the pair starting at i, so an entry is stale
   * when it no longer equals it (an entry equal to it describes a pair present now, so acting on
   * it is correct).
   */
  private mergeHeap(syms: Int32Array, n: number): number {
    const { rk, prev, next, heap } = this;
    let size = 0;
    for (let i = 0; i < n; i++) {
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
      const r = i + 1 < n ? this.pairRank(syms[i]!, syms[i + 1]!) : NONE;
      rk[i] = r;
      if (r !== NONE) size = push(heap, size, r * POS + i);
    }
    while (size > 0) {
      const key = heap[0]!;
      size = pop(heap, size);
      const rank = Math.floor(key * INV_POS);
      const pos = key - rank * POS;
      if (syms[pos] === -1 || rk[pos] !== rank) continue;
      const right = next[pos]!;
      syms[pos] = rank;
      syms[right] = -1;
      const after = next[right]!;
      next[pos] = after;
      if (after >= 0) {
        prev[after] = pos;
        const r = this.pairRank(rank, syms[after]!);
        rk[pos] = r;
        if (r !== NONE) size = push(heap, size, r * POS + pos);
      } else {
        rk[pos] = NONE;
      }
      const before = prev[pos]!;
      if (before >= 0) {
        const r = this.pairRank(syms[before]!, rank);
        rk[before] = r;
        if (r !== NONE) size = push(heap, size, r * POS + before);
      }
    }
    let out = 0;
    for (let i = 0; i >= 0; i = next[i]!) syms[out++] = syms[i]!;
    return out;
  }
}

/** The least key of block b (32 keys). */
function blockMin(keys: Float64Array, b: number): number {
  let m = Infinity;
  for (let j = b << 5, end = j + 32; j < end; j++) m = Math.min(m, keys[j]!);
  return m;
}

/** Pushes `key` onto the min-heap `heap[0..size)`; returns the new size. */
function push(heap: Float64Array, size: number, key: number): number {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const up = heap[parent]!;
    if (up <= key) break;
    heap[i] = up;
    i = parent;
  }
  heap[i] = key;
  return size + 1;
}

/** Removes the top of the min-heap `heap[0..size)`; returns the new size. */
function pop(heap: Float64Array, size: number): number {
  const last = heap[--size]!;
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= size) break;
    let c = heap[child]!;
    if (child + 1 < size) {
      const d = heap[child + 1]!;
      if (d < c) {
        c = d;
        child++;
      }
    }
    if (c >= last) break;
    heap[i] = c;
    i = child;
  }
  heap[i] = last;
  return size;
}
