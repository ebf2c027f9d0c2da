/**
 * Sets of worker slots (the holders of one block), packed into one growable Int32Array so that a
 * block held by several workers costs a few words instead of a JavaScript object. Not part of
 * the package API.
 *
 * A set lives at an offset: `heap[off]` is its member count, `heap[off + 1]` its capacity class k
 * (room for 4 << k words) plus the BITS flag, then its body. A set starts as a sorted array of
 * slots and turns into a bitset (bit s of the body set when slot s is a member) once a bitset is
 * no larger than the array would be: that is what a block shared by most of a small fleet looks
 * like (a system prompt on all 64 workers: 2 words), while a block on 9 of 4096 workers stays a
 * 9-slot array instead of a 128-word bitset. Match intersects bitsets word by word.
 *
 * Freed sets go to a free list per class and are reused first; the heap only grows.
 */
export class SlotSetPool {
  /** Read directly by the index's match loop; re-read after any call that may grow it. */
  heap = new Int32Array(4096);
  private top = 0;
  private readonly freeLists: number[][] = [];
  private liveWords = 0;

  /** A new set holding the two distinct slots `a` and `b`. */
  pair(a: number, b: number): number {
    const off = this.alloc(0);
    const h = this.heap;
    h[off] = 2;
    h[off + 2] = a < b ? a : b;
    h[off + 3] = a < b ? b : a;
    return off;
  }

  length(off: number): number {
    return this.heap[off]!;
  }

  isBits(off: number): boolean {
    return (this.heap[off + 1]! & BITS) !== 0;
  }

  /** Body words of the set (the bitset's length for a bitset). */
  capacity(off: number): number {
    return 4 << (this.heap[off + 1]! & CLASS_MASK);
  }

  /** Whether `slot` is a member. */
  has(off: number, slot: number): boolean {
    const h = this.heap;
    if (this.isBits(off)) return (slot >>> 5) < this.capacity(off) && ((h[off + 2 + (slot >>> 5)]! >>> (slot & 31)) & 1) !== 0;
    const len = h[off]!;
    const pos = this.search(off, len, slot);
    return pos < len && h[off + 2 + pos] === slot;
  }

  /** The smallest member (the only one, when the caller turns a one-member set back inline). */
  first(off: number): number {
    const h = this.heap;
    if (!this.isBits(off)) return h[off + 2]!;
    for (let w = 0; ; w++) {
      const word = h[off + 2 + w]!;
      if (word !== 0) return (w << 5) + 31 - Math.clz32(word & -word);
    }
  }

  /** Adds `slot`; returns the set's offset (it moves when it outgrows its room), or -1 when already a member. */
  add(off: number, slot: number): number {
    if (this.has(off, slot)) return -1;
    let h = this.heap;
    const len = h[off]!;
    const cap = this.capacity(off);
    if (this.isBits(off)) {
      const w = slot >>> 5;
      if (w >= cap) {
        const grown = this.alloc(classFor(w + 1), true);
        h = this.heap;
        h.copyWithin(grown + 2, off + 2, off + 2 + cap);
        h[grown] = len;
        this.release(off);
        off = grown;
      }
      h[off + 2 + w] = h[off + 2 + w]! | (1 << (slot & 31));
      h[off] = len + 1;
      return off;
    }
    if (len === cap) {
      const top = Math.max(h[off + 1 + len]!, slot);
      const words = (top >>> 5) + 1;
      if (len + 1 >= 16 && words <= len + 1) {
        const bits = this.alloc(classFor(words), true);
        h = this.heap;
        for (let i = 0; i < len; i++) setBit(h, bits + 2, h[off + 2 + i]!);
        setBit(h, bits + 2, slot);
        h[bits] = len + 1;
        this.release(off);
        return bits;
      }
      const grown = this.alloc(classFor(cap + 1));
      h = this.heap;
      h.copyWithin(grown + 2, off + 2, off + 2 + len);
      h[grown] = len;
      this.release(off);
      off = grown;
    }
    const pos = this.search(off, len, slot);
    h.copyWithin(off + 3 + pos, off + 2 + pos, off + 2 + len);
    h[off + 2 + pos] = slot;
    h[off] = len + 1;
    return off;
  }

  /** Removes `slot`; false when it was not a member. */
  remove(off: number, slot: number): boolean {
    if (!this.has(off, slot)) return false;
    const h = this.heap;
    const len = h[off]!;
    if (this.isBits(off)) {
      h[off + 2 + (slot >>> 5)] = h[off + 2 + (slot >>> 5)]! & ~(1 << (slot & 31));
    } else {
      const pos = this.search(off, len, slot);
      h.copyWithin(off + 2 + pos, off + 3 + pos, off + 2 + len);
    }
    h[off] = len - 1;
    return true;
  }

  /** Drops every member `s` with `drop[s] !== 0`; returns the new member count. */
  filter(off: number, drop: Uint8Array): number {
    const h = this.heap;
    const len = h[off]!;
    let kept = 0;
    if (this.isBits(off)) {
      const cap = this.capacity(off);
      for (let w = 0; w < cap; w++) {
        let rest = h[off + 2 + w]!;
        let word = rest;
        while (rest !== 0) {
          const low = rest & -rest;
          rest ^= low;
          if (drop[(w << 5) + 31 - Math.clz32(low)] !== 0) word &= ~low;
          else kept++;
        }
        h[off + 2 + w] = word;
      }
    } else {
      for (let r = 0; r < len; r++) {
        const s = h[off + 2 + r]!;
        if (drop[s] === 0) h[off + 2 + kept++] = s;
      }
    }
    h[off] = kept;
    return kept;
  }

  release(off: number): void {
    const cls = this.heap[off + 1]! & CLASS_MASK;
    (this.freeLists[cls] ??= []).push(off);
    this.liveWords -= (4 << cls) + 2;
  }

  /** Bytes held by live sets, and by the whole heap (free and never-used space included). */
  bytes(): { live: number; reserved: number } {
    return { live: this.liveWords * 4, reserved: this.heap.byteLength };
  }

  /** First position whose slot is >= `slot` in a sorted-array set. */
  private search(off: number, len: number, slot: number): number {
    const h = this.heap;
    let lo = 0;
    let hi = len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (h[off + 2 + mid]! < slot) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private alloc(cls: number, bits = false): number {
    const words = (4 << cls) + 2;
    this.liveWords += words;
    let off = this.freeLists[cls]?.pop();
    if (off === undefined) {
      if (this.top + words > this.heap.length) {
        let size = this.heap.length * 2;
        while (size < this.top + words) size *= 2;
        const grown = new Int32Array(size);
        grown.set(this.heap.subarray(0, this.top));
        this.heap = grown;
      }
      off = this.top;
      this.top += words;
    }
    this.heap[off + 1] = cls | (bits ? BITS : 0);
    if (bits) this.heap.fill(0, off + 2, off + words);
    return off;
  }
}

/** Flag in a set's class word: the body is a bitset. */
const BITS = 0x100;
const CLASS_MASK = 0xff;

/** The smallest class with room for `words` body words. */
function classFor(words: number): number {
  let cls = 0;
  while (4 << cls < words) cls++;
  return cls;
}

function setBit(h: Int32Array, body: number, slot: number): void {
  h[body + (slot >>> 5)] = h[body + (slot >>> 5)]! | (1 << (slot & 31));
}
