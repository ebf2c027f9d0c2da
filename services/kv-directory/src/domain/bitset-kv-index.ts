import { compareMatches, type KvIndex, type KvIndexStats, type KvMatch } from './kv-index.js';

/** What one worker holds, by model, so that clear and forget cost O(held) instead of O(index). */
interface SlotState {
  readonly workerId: string;
  readonly held: Map<string, Set<bigint>>;
}

/**
 * The first, Map-based KV index: kept as the baseline of the directory benchmark
 * (tools/bench/src/kv-directory) and as a second implementation under the property tests; the
 * service runs CompactKvIndex. Workers are interned to small integer slots; per model, each block hash maps
 * to a bitset of the slots holding it (one Uint32 word per 32 workers, so a typical fleet costs
 * one word per block). Match walks the prompt's hashes from the first, AND-ing the candidate
 * bitset with each block's set; a worker's prefix ends where its bit drops, and the walk stops
 * as soon as no candidate is left, so a miss on block 0 costs one map lookup.
 *
 * Slots of forgotten workers are reused; their bits are cleared first, so a reused slot never
 * inherits blocks. Bitsets created before the fleet grew are shorter than `words`: missing words
 * read as zero and grow on the first write.
 */
export class BitsetKvIndex implements KvIndex {
  private readonly slotOf = new Map<string, number>();
  private readonly slots: (SlotState | undefined)[] = [];
  private readonly freeSlots: number[] = [];
  private readonly tables = new Map<string, Map<bigint, Uint32Array>>();
  private words = 1;
  private blocks = 0;

  stored(workerId: string, model: string, blockHashes: readonly bigint[]): void {
    if (blockHashes.length === 0) return;
    const slot = this.intern(workerId);
    const state = this.slots[slot]!;
    let held = state.held.get(model);
    if (held === undefined) {
      held = new Set();
      state.held.set(model, held);
    }
    let table = this.tables.get(model);
    if (table === undefined) {
      table = new Map();
      this.tables.set(model, table);
    }
    const w = slot >>> 5;
    const bit = 1 << (slot & 31);
    for (const hash of blockHashes) {
      if (held.has(hash)) continue;
      held.add(hash);
      let set = table.get(hash);
      if (set === undefined) {
        set = new Uint32Array(this.words);
        table.set(hash, set);
        this.blocks++;
      } else if (set.length <= w) {
        const grown = new Uint32Array(this.words);
        grown.set(set);
        set = grown;
        table.set(hash, set);
      }
      set[w] = set[w]! | bit;
    }
  }

  removed(workerId: string, model: string, blockHashes: readonly bigint[]): void {
    const slot = this.slotOf.get(workerId);
    if (slot === undefined) return;
    const state = this.slots[slot]!;
    const held = state.held.get(model);
    const table = this.tables.get(model);
    if (held === undefined || table === undefined) return;
    for (const hash of blockHashes) {
      if (held.delete(hash)) this.unset(table, hash, slot);
    }
    if (held.size === 0) state.held.delete(model);
    if (table.size === 0) this.tables.delete(model);
  }

  cleared(workerId: string): void {
    const slot = this.slotOf.get(workerId);
    if (slot === undefined) return;
    const state = this.slots[slot]!;
    for (const [model, held] of state.held) {
      const table = this.tables.get(model)!;
      for (const hash of held) this.unset(table, hash, slot);
      if (table.size === 0) this.tables.delete(model);
    }
    state.held.clear();
  }

  forget(workerId: string): void {
    const slot = this.slotOf.get(workerId);
    if (slot === undefined) return;
    this.cleared(workerId);
    this.slotOf.delete(workerId);
    this.slots[slot] = undefined;
    this.freeSlots.push(slot);
  }

  match(model: string, blockHashes: readonly bigint[], workerIds?: readonly string[]): KvMatch[] {
    const out: KvMatch[] = [];
    const cand = new Uint32Array(this.words);
    if (workerIds !== undefined && workerIds.length > 0) {
      const seen = new Set<string>();
      for (const id of workerIds) {
        if (seen.has(id)) continue;
        seen.add(id);
        const slot = this.slotOf.get(id);
        if (slot === undefined) out.push({ workerId: id, matchedBlocks: 0 });
        else cand[slot >>> 5] = cand[slot >>> 5]! | (1 << (slot & 31));
      }
    } else {
      for (let slot = 0; slot < this.slots.length; slot++) {
        if (this.slots[slot]?.held.has(model)) cand[slot >>> 5] = cand[slot >>> 5]! | (1 << (slot & 31));
      }
    }
    const table = this.tables.get(model);
    const n = table === undefined ? 0 : blockHashes.length;
    let depth = 0;
    for (; depth < n; depth++) {
      const set = table!.get(blockHashes[depth]!);
      let any = 0;
      for (let w = 0; w < cand.length; w++) {
        const cur = cand[w]!;
        if (cur === 0) continue;
        const next = set !== undefined && w < set.length ? cur & set[w]! : 0;
        this.emit(out, w, cur & ~next, depth);
        cand[w] = next;
        any |= next;
      }
      if (any === 0) break;
    }
    for (let w = 0; w < cand.length; w++) this.emit(out, w, cand[w]!, depth);
    return out.sort(compareMatches);
  }

  stats(): KvIndexStats {
    let workers = 0;
    for (const state of this.slots) if (state !== undefined && state.held.size > 0) workers++;
    return { blocksIndexed: this.blocks, workers };
  }

  private emit(out: KvMatch[], word: number, bits: number, matchedBlocks: number): void {
    let rest = bits | 0;
    while (rest !== 0) {
      const low = rest & -rest;
      rest ^= low;
      const slot = (word << 5) + 31 - Math.clz32(low);
      out.push({ workerId: this.slots[slot]!.workerId, matchedBlocks });
    }
  }

  private unset(table: Map<bigint, Uint32Array>, hash: bigint, slot: number): void {
    const set = table.get(hash);
    const w = slot >>> 5;
    if (set === undefined || w >= set.length) return;
    set[w] = set[w]! & ~(1 << (slot & 31));
    for (let i = 0; i < set.length; i++) if (set[i] !== 0) return;
    table.delete(hash);
    this.blocks--;
  }

  private intern(workerId: string): number {
    const known = this.slotOf.get(workerId);
    if (known !== undefined) return known;
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.slots.length;
    this.slots[slot] = { workerId, held: new Map() };
    this.slotOf.set(workerId, slot);
    this.words = Math.max(this.words, (this.slots.length + 31) >>> 5);
    return slot;
  }
}
