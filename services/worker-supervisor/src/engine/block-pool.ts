import { BlockIndex } from './block-index.js';
import type { EventRecorder } from './kv-events.js';

/** Tokens per KV block. Fixed by the block hash scheme shared with the tokenizer and directory. */
export const BLOCK_SIZE = 16;

const NONE = -1;

/**
 * The paged KV cache's block allocator and prefix-cache index, as flat typed arrays.
 *
 * Every block is in exactly one of three states:
 *  - referenced (refCount > 0): in some sequence's block table;
 *  - cached (refCount 0, has a hash): reusable by prefix, in the LRU list, evictable;
 *  - free (refCount 0, no hash): on the free stack.
 * Allocation takes a free block first and only then evicts the least recently released cached
 * block (emitting `removed`). Committing a full block's hash emits `stored`. Releasing a block
 * that is not referenced throws: a double free is a bug, never tolerated silently.
 */
export class BlockPool {
  readonly total: number;
  private readonly refCount: Int32Array;
  private readonly hashed: Uint8Array;
  private readonly hash: BigUint64Array;
  private readonly parent: BigUint64Array;
  private readonly model: Uint16Array;
  private readonly freeStack: Int32Array;
  private freeTop: number;
  private readonly lruPrev: Int32Array;
  private readonly lruNext: Int32Array;
  private lruHead = NONE;
  private lruTail = NONE;
  private lruSize = 0;
  private readonly index: BlockIndex[];

  constructor(
    total: number,
    private readonly models: readonly string[],
    private readonly events: EventRecorder,
  ) {
    if (!Number.isInteger(total) || total <= 0) throw new RangeError(`block count must be a positive integer, got ${total}`);
    this.total = total;
    this.refCount = new Int32Array(total);
    this.hashed = new Uint8Array(total);
    this.hash = new BigUint64Array(total);
    this.parent = new BigUint64Array(total);
    this.model = new Uint16Array(total);
    this.freeStack = new Int32Array(total);
    for (let i = 0; i < total; i++) this.freeStack[i] = total - 1 - i;
    this.freeTop = total;
    this.lruPrev = new Int32Array(total).fill(NONE);
    this.lruNext = new Int32Array(total).fill(NONE);
    this.index = models.map(() => new BlockIndex(total));
  }

  /** Blocks obtainable by `allocate` right now (free plus evictable). */
  available(): number {
    return this.freeTop + this.lruSize;
  }

  /** Blocks in some sequence's block table. */
  referenced(): number {
    return this.total - this.available();
  }

  /** Cached blocks (referenced or not) that a prefix lookup can hit. */
  cachedCount(): number {
    let n = 0;
    for (const m of this.index) n += m.size;
    return n;
  }

  refs(block: number): number {
    return this.refCount[block]!;
  }

  /** A fresh block with refCount 1, or -1 when every block is referenced. */
  allocate(): number {
    let block: number;
    if (this.freeTop > 0) {
      block = this.freeStack[--this.freeTop]!;
    } else if (this.lruHead !== NONE) {
      block = this.lruHead;
      this.lruRemove(block);
      this.uncache(block);
    } else {
      return NONE;
    }
    this.refCount[block] = 1;
    return block;
  }

  /** The cached block holding `hash` for model index `modelIdx`, or -1. */
  lookup(modelIdx: number, hash: bigint): number {
    return this.index[modelIdx]!.get(hash);
  }

  /** Takes a reference on a cached block found by `lookup` (removing it from the LRU if idle). */
  acquire(block: number): void {
    if (this.refCount[block] === 0) this.lruRemove(block);
    this.refCount[block]! += 1;
  }

  /**
   * Publishes a referenced, now full block under `hash`. Returns false, leaving the block private,
   * when another block already holds that hash (two sequences computed the same prefix at once).
   */
  commit(block: number, modelIdx: number, hash: bigint, parentHash: bigint): boolean {
    if (this.refCount[block]! <= 0) throw new Error(`commit of unreferenced block ${block}`);
    if (this.hashed[block] === 1) throw new Error(`block ${block} is already committed`);
    if (!this.index[modelIdx]!.add(hash, block)) return false;
    this.hashed[block] = 1;
    this.hash[block] = hash;
    this.parent[block] = parentHash;
    this.model[block] = modelIdx;
    this.events.stored(this.models[modelIdx]!, hash, parentHash);
    return true;
  }

  /** Drops one reference; the last one makes the block cached (if committed) or free. */
  release(block: number): void {
    const rc = this.refCount[block]!;
    if (rc <= 0) throw new Error(`double free of block ${block}`);
    this.refCount[block] = rc - 1;
    if (rc > 1) return;
    if (this.hashed[block] === 1) this.lruAppend(block);
    else this.freeStack[this.freeTop++] = block;
  }

  /** Every cached block as (model, hash, parent), each block after its cached parent. */
  snapshot(): { model: string; hash: bigint; parentHash: bigint }[] {
    const out: { model: string; hash: bigint; parentHash: bigint }[] = [];
    const done = new Uint8Array(this.total);
    const visit = (b: number): void => {
      if (done[b] === 1) return;
      done[b] = 1;
      const p = this.index[this.model[b]!]!.get(this.parent[b]!);
      if (p >= 0) visit(p);
      out.push({ model: this.models[this.model[b]!]!, hash: this.hash[b]!, parentHash: this.parent[b]! });
    };
    for (const idx of this.index) for (const b of idx.values()) visit(b);
    return out;
  }

  /** Cached blocks in eviction order (first = next to go). For tests and diagnostics. */
  evictionOrder(): bigint[] {
    const out: bigint[] = [];
    for (let b = this.lruHead; b !== NONE; b = this.lruNext[b]!) out.push(this.hash[b]!);
    return out;
  }

  /** Throws unless the three block states partition the pool exactly. */
  checkInvariants(): void {
    const seen = new Uint8Array(this.total);
    for (let i = 0; i < this.freeTop; i++) {
      const b = this.freeStack[i]!;
      if (seen[b] || this.refCount[b] !== 0 || this.hashed[b]) throw new Error(`free block ${b} is inconsistent`);
      seen[b] = 1;
    }
    let n = 0;
    for (let b = this.lruHead; b !== NONE; b = this.lruNext[b]!, n++) {
      if (seen[b] || this.refCount[b] !== 0 || !this.hashed[b]) throw new Error(`cached block ${b} is inconsistent`);
      seen[b] = 1;
    }
    if (n !== this.lruSize) throw new Error('LRU size mismatch');
    for (let b = 0; b < this.total; b++) {
      if (!seen[b] && this.refCount[b]! <= 0) throw new Error(`block ${b} is lost`);
      if (this.refCount[b]! < 0) throw new Error(`block ${b} has a negative refcount`);
    }
  }

  private uncache(block: number): void {
    const m = this.model[block]!;
    this.index[m]!.delete(this.hash[block]!);
    this.hashed[block] = 0;
    this.events.removed(this.models[m]!, this.hash[block]!);
  }

  private lruAppend(block: number): void {
    this.lruPrev[block] = this.lruTail;
    this.lruNext[block] = NONE;
    if (this.lruTail !== NONE) this.lruNext[this.lruTail] = block;
    else this.lruHead = block;
    this.lruTail = block;
    this.lruSize++;
  }

  private lruRemove(block: number): void {
    const p = this.lruPrev[block]!;
    const n = this.lruNext[block]!;
    if (p !== NONE) this.lruNext[p] = n;
    else this.lruHead = n;
    if (n !== NONE) this.lruPrev[n] = p;
    else this.lruTail = p;
    this.lruPrev[block] = NONE;
    this.lruNext[block] = NONE;
    this.lruSize--;
  }
}
