import { BlockTable } from './block-table.js';
import { compareMatches, type KvIndex, type KvIndexStats, type KvMatch } from './kv-index.js';
import { SlotSetPool } from './slot-set-pool.js';

/**
 * The production KV index, built for 10M+ blocks, many models and thousands of workers.
 *
 * Layout: one open-addressing table (BlockTable) keyed on (model id, hash high 32, hash low 32)
 * whose value is the holders of that block: the worker's slot inline when one worker holds it
 * (the common case), a bitmask inline when several hold it and all their slots are below 32 (a
 * fleet of up to 32 workers never leaves the bucket, so a Match probe is one memory access),
 * otherwise a small sorted slot array or bitset in a SlotSetPool. Workers and models are
 * interned to small integers; per model, an Int32Array counts the blocks each slot holds, which
 * answers "which workers hold anything of this model" without a scan. No JavaScript object is
 * allocated per block or per (worker, block).
 *
 * Clear and forget are O(models), not O(blocks): the worker's slot is retired (a cleared worker
 * gets a fresh slot) and its references are purged later by one sweep over the table, when
 * retired references reach a quarter of all references, or before stats() so counts are exact.
 * Retired slots are never candidates, so a pending sweep never changes a Match answer; a slot is
 * reused only after the sweep that purged it.
 */
export class CompactKvIndex implements KvIndex {
  private readonly table: BlockTable;
  private readonly sets = new SlotSetPool();
  private readonly slotOf = new Map<string, number>();
  private readonly workerOf: (string | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly retiredSlots: number[] = [];
  private readonly modelOf = new Map<string, number>();
  private modelCounts: Int32Array[] = [];
  private heldCount = new Int32Array(64);
  private retired = new Uint8Array(64);
  /** Match scratch, one bit per slot; all zero between calls. */
  private aliveWords = new Int32Array(2);
  private scratchWords = new Int32Array(2);
  private slotCap = 64;
  private liveRefs = 0;
  private pendingRefs = 0;
  private readonly word = new BigUint64Array(1);
  private readonly halves = new Uint32Array(this.word.buffer);

  /**
   * `initialBlocks`: how many distinct blocks the index should hold without growing (for example a
   * fleet's KV capacity, workers x blocks per worker, when it is known). Only a starting size: the
   * table still grows past it, and never shrinks below it.
   */
  constructor(initialBlocks = 1024) {
    this.table = new BlockTable(Math.ceil((initialBlocks * 4) / 3));
  }

  stored(workerId: string, model: string, blockHashes: readonly bigint[]): void {
    if (blockHashes.length === 0) return;
    const slot = this.intern(workerId);
    const m = this.internModel(model);
    const counts = this.modelCounts[m]!;
    const t = this.table;
    let added = 0;
    for (const hash of blockHashes) {
      this.word[0] = hash;
      const lo = this.halves[0]!;
      const hi = this.halves[1]!;
      const i = t.findOrInsert(m, hi, lo, slot);
      if (i < 0) {
        added++;
        continue;
      }
      const h = t.holderAt(i);
      if (t.inlineAt(i)) {
        if (slot < 32) {
          if ((h >>> slot) & 1) continue;
          t.setInlineHolders(i, h | (1 << slot));
        } else {
          t.setHolder(i, ~this.setOf(h, slot));
        }
        added++;
      } else if (h >= 0) {
        if (h === slot) continue;
        if (h < 32 && slot < 32) t.setInlineHolders(i, (1 << h) | (1 << slot));
        else t.setHolder(i, ~this.sets.pair(h, slot));
        added++;
      } else {
        const off = this.sets.add(~h, slot);
        if (off < 0) continue;
        t.setHolder(i, ~off);
        added++;
      }
    }
    counts[slot] = counts[slot]! + added;
    this.heldCount[slot] = this.heldCount[slot]! + added;
    this.liveRefs += added;
  }

  removed(workerId: string, model: string, blockHashes: readonly bigint[]): void {
    const slot = this.slotOf.get(workerId);
    const m = this.modelOf.get(model);
    if (slot === undefined || m === undefined) return;
    const t = this.table;
    let dropped = 0;
    for (const hash of blockHashes) {
      this.word[0] = hash;
      const i = t.find(m, this.halves[1]!, this.halves[0]!);
      if (i < 0) continue;
      const h = t.holderAt(i);
      if (t.inlineAt(i)) {
        if (slot >= 32 || ((h >>> slot) & 1) === 0) continue;
        this.setInline(i, h & ~(1 << slot));
      } else if (h >= 0) {
        if (h !== slot) continue;
        t.deleteAt(i);
      } else {
        if (!this.sets.remove(~h, slot)) continue;
        if (this.sets.length(~h) === 1) {
          t.setHolder(i, this.sets.first(~h));
          this.sets.release(~h);
        }
      }
      dropped++;
    }
    const counts = this.modelCounts[m]!;
    counts[slot] = counts[slot]! - dropped;
    this.heldCount[slot] = this.heldCount[slot]! - dropped;
    this.liveRefs -= dropped;
  }

  cleared(workerId: string): void {
    const slot = this.slotOf.get(workerId);
    if (slot === undefined || this.heldCount[slot] === 0) return;
    this.retire(slot);
    this.bind(workerId, this.allocSlot());
  }

  forget(workerId: string): void {
    const slot = this.slotOf.get(workerId);
    if (slot === undefined) return;
    this.slotOf.delete(workerId);
    this.retire(slot);
  }

  match(model: string, blockHashes: readonly bigint[], workerIds?: readonly string[]): KvMatch[] {
    const out: KvMatch[] = [];
    const m = this.modelOf.get(model);
    const cand = this.candidates(m, workerIds, out);
    const limit = m === undefined ? 0 : blockHashes.length;
    if (cand.length > 0) {
      const span = (cand[cand.length - 1]! >>> 5) - (cand[0]! >>> 5) + 1;
      if (span <= cand.length) this.walkDense(m ?? 0, blockHashes, limit, cand, out);
      else this.walkSparse(m ?? 0, blockHashes, limit, cand, out);
    }
    return out.sort(compareMatches);
  }

  stats(): KvIndexStats {
    if (this.pendingRefs > 0) this.sweep();
    let workers = 0;
    for (const slot of this.slotOf.values()) if (this.heldCount[slot]! > 0) workers++;
    return { blocksIndexed: this.table.size, workers };
  }

  /** Bytes held by the typed arrays (table buckets, holder sets), for benchmarks and metrics. */
  memoryBytes(): { table: number; sets: number; setsReserved: number } {
    const sets = this.sets.bytes();
    return { table: this.table.bytes(), sets: sets.live, setsReserved: sets.reserved };
  }

  /** Purges every retired slot's references, then frees the slots for reuse. O(table capacity). */
  sweep(): void {
    const t = this.table;
    const drop = this.retired;
    for (let i = 0; i < t.capacity; i++) {
      if (!t.occupied(i)) continue;
      const h = t.holderAt(i);
      let empty: boolean;
      if (t.inlineAt(i)) {
        let left = h;
        for (let rest = h; rest !== 0; rest &= rest - 1) {
          const low = rest & -rest;
          if (drop[31 - Math.clz32(low)] !== 0) left &= ~low;
        }
        empty = left === 0;
        if (!empty) this.setInline(i, left);
      } else if (h >= 0) {
        empty = drop[h] !== 0;
      } else {
        const left = this.sets.filter(~h, drop);
        empty = left === 0;
        if (left === 0) this.sets.release(~h);
        else if (left === 1) {
          t.setHolder(i, this.sets.first(~h));
          this.sets.release(~h);
        }
      }
      if (empty) {
        t.deleteAt(i);
        i--;
      }
    }
    for (const slot of this.retiredSlots) {
      drop[slot] = 0;
      this.freeSlots.push(slot);
    }
    this.retiredSlots.length = 0;
    this.liveRefs -= this.pendingRefs;
    this.pendingRefs = 0;
    t.shrinkToFit();
  }

  /** Bucket `i`'s holders set to the non-empty bitmask `mask`: inline, or the one slot when only one is left. */
  private setInline(i: number, mask: number): void {
    if ((mask & (mask - 1)) === 0) this.table.setHolder(i, 31 - Math.clz32(mask));
    else this.table.setInlineHolders(i, mask);
  }

  /** A new holder set of the slots of `mask` (bits 0..31) and `slot` (>= 32). */
  private setOf(mask: number, slot: number): number {
    let off = -1;
    let first = -1;
    for (let rest = mask; rest !== 0; rest &= rest - 1) {
      const s = 31 - Math.clz32(rest & -rest);
      if (first < 0) first = s;
      else off = off < 0 ? this.sets.pair(first, s) : this.sets.add(off, s);
    }
    return this.sets.add(off, slot);
  }

  /** Candidate slots, ascending; unknown requested ids go straight to `out` with 0 blocks. */
  private candidates(m: number | undefined, workerIds: readonly string[] | undefined, out: KvMatch[]): Int32Array {
    let n = 0;
    if (workerIds !== undefined && workerIds.length > 0) {
      const alive = new Int32Array(workerIds.length);
      const seen = new Set<string>();
      for (const id of workerIds) {
        if (seen.has(id)) continue;
        seen.add(id);
        const slot = this.slotOf.get(id);
        if (slot === undefined) out.push({ workerId: id, matchedBlocks: 0 });
        else alive[n++] = slot;
      }
      return alive.subarray(0, n).sort();
    }
    if (m === undefined) return new Int32Array(0);
    const counts = this.modelCounts[m]!;
    const alive = new Int32Array(counts.length);
    for (let s = 0; s < counts.length; s++) if (counts[s]! > 0) alive[n++] = s;
    return alive.subarray(0, n);
  }

  /**
   * The walk for candidates packed in few bitset words (most of a fleet): the live candidates are
   * a bitset over slots, intersected word by word with each block's holders, so a block shared by
   * every candidate costs (candidate span / 32) word operations.
   */
  private walkDense(m: number, hashes: readonly bigint[], limit: number, cand: Int32Array, out: KvMatch[]): void {
    const alive = this.aliveWords;
    const scratch = this.scratchWords;
    const t = this.table;
    let lo = cand[0]! >>> 5;
    let hi = cand[cand.length - 1]! >>> 5;
    for (const s of cand) alive[s >>> 5] = alive[s >>> 5]! | (1 << (s & 31));
    let depth = 0;
    for (; depth < limit && lo <= hi; depth++) {
      this.word[0] = hashes[depth]!;
      const i = t.find(m, this.halves[1]!, this.halves[0]!);
      if (i < 0) break;
      const h = t.holderAt(i);
      const inline = t.inlineAt(i);
      const heap = this.sets.heap;
      // body >= 0: intersect with the bitset at heap[body..]; -1: with `scratch`, filled here.
      let body = -1;
      let cap = 0;
      if (inline) {
        scratch[0] = h;
      } else if (h >= 0) {
        scratch[h >>> 5] = 1 << (h & 31);
      } else if (this.sets.isBits(~h)) {
        body = ~h + 2;
        cap = this.sets.capacity(~h);
      } else {
        for (let b = ~h + 2, end = b + heap[~h]!; b < end; b++) {
          const s = heap[b]!;
          if (s >>> 5 >= lo && s >>> 5 <= hi) scratch[s >>> 5] = scratch[s >>> 5]! | (1 << (s & 31));
        }
      }
      let nlo = hi + 1;
      let nhi = lo - 1;
      for (let w = lo; w <= hi; w++) {
        const cur = alive[w]!;
        let mask: number;
        if (body < 0) {
          mask = scratch[w]!;
          scratch[w] = 0;
        } else {
          mask = w < cap ? heap[body + w]! : 0;
        }
        if (cur === 0) continue;
        const next = cur & mask;
        if (next !== cur) this.emit(out, w, cur & ~next, depth);
        alive[w] = next;
        if (next !== 0) {
          if (w < nlo) nlo = w;
          nhi = w;
        }
      }
      if (inline) scratch[0] = 0;
      else if (h >= 0) scratch[h >>> 5] = 0;
      lo = nlo;
      hi = nhi;
    }
    for (let w = lo; w <= hi; w++) {
      this.emit(out, w, alive[w]!, depth);
      alive[w] = 0;
    }
  }

  /** The walk for a few candidates scattered over many slots: a sorted list, filtered per block. */
  private walkSparse(m: number, hashes: readonly bigint[], limit: number, alive: Int32Array, out: KvMatch[]): void {
    const t = this.table;
    let n = alive.length;
    let depth = 0;
    for (; depth < limit && n > 0; depth++) {
      this.word[0] = hashes[depth]!;
      const i = t.find(m, this.halves[1]!, this.halves[0]!);
      if (i < 0) break;
      const h = t.holderAt(i);
      const inline = t.inlineAt(i);
      let kept = 0;
      for (let a = 0; a < n; a++) {
        const s = alive[a]!;
        if (inline ? s < 32 && ((h >>> s) & 1) !== 0 : h >= 0 ? s === h : this.sets.has(~h, s)) alive[kept++] = s;
        else out.push({ workerId: this.workerOf[s]!, matchedBlocks: depth });
      }
      n = kept;
    }
    for (let a = 0; a < n; a++) out.push({ workerId: this.workerOf[alive[a]!]!, matchedBlocks: depth });
  }

  private emit(out: KvMatch[], word: number, bits: number, matchedBlocks: number): void {
    let rest = bits | 0;
    while (rest !== 0) {
      const low = rest & -rest;
      rest ^= low;
      out.push({ workerId: this.workerOf[(word << 5) + 31 - Math.clz32(low)]!, matchedBlocks });
    }
  }

  private retire(slot: number): void {
    this.workerOf[slot] = undefined;
    for (const counts of this.modelCounts) counts[slot] = 0;
    const refs = this.heldCount[slot]!;
    this.heldCount[slot] = 0;
    if (refs === 0) {
      this.freeSlots.push(slot);
      return;
    }
    this.retired[slot] = 1;
    this.retiredSlots.push(slot);
    this.pendingRefs += refs;
    if (this.pendingRefs * 4 >= this.liveRefs) this.sweep();
  }

  private intern(workerId: string): number {
    const known = this.slotOf.get(workerId);
    if (known !== undefined) return known;
    const slot = this.allocSlot();
    this.bind(workerId, slot);
    return slot;
  }

  private bind(workerId: string, slot: number): void {
    this.slotOf.set(workerId, slot);
    this.workerOf[slot] = workerId;
  }

  private allocSlot(): number {
    const reused = this.freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = this.workerOf.length;
    this.workerOf.push(undefined);
    if (slot >= this.slotCap) this.growSlots(this.slotCap * 2);
    return slot;
  }

  private internModel(model: string): number {
    const known = this.modelOf.get(model);
    if (known !== undefined) return known;
    const m = this.modelCounts.length;
    this.modelOf.set(model, m);
    this.modelCounts.push(new Int32Array(this.slotCap));
    return m;
  }

  private growSlots(cap: number): void {
    const grow = <T extends Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(cap);
      b.set(a);
      return b;
    };
    this.heldCount = grow(this.heldCount, (k) => new Int32Array(k));
    this.retired = grow(this.retired, (k) => new Uint8Array(k));
    this.modelCounts = this.modelCounts.map((c) => grow(c, (k) => new Int32Array(k)));
    this.aliveWords = new Int32Array(cap >>> 5);
    this.scratchWords = new Int32Array(cap >>> 5);
    this.slotCap = cap;
  }
}
