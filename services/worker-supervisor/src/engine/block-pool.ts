import { BlockIndex } from './block-index.js';
import type { EventRecorder } from './kv-events.js';

/** Tokens per KV block. Fixed by the block hash scheme shared with the tokenizer and directory. */
export const BLOCK_SIZE = 16;

const NONE = -1;

/**
 * Int32 words of per-block state, kept together (32 bytes, two records per 64-byte cache line and
 * none across two) so that touching a block costs one memory access: the engines of a simulated
 * fleet do not fit in the CPU's caches. The parent hash, read only by `snapshot`, lives apart.
 */
const S = 8;
/** References held by sequences' block tables. */
const REF = 0;
/** Neighbours in the LRU list of cached, unreferenced blocks (-1: none). */
const PREV = 1;
const NEXT = 2;
/** 0 while the block has no hash, else its model index + 1. */
const STATE = 3;
/** 64-bit words (of the same buffer) per block, and where the block's hash sits. */
const S64 = S / 2;
const HASH = 2;
/** The same hash as int32 words, in the platform's order, as `halves` below splits a key. */
const HASH_LO = 2 * HASH;
const HASH_HI = 2 * HASH + 1;
/**
 * A hint, never trusted: the block last committed as this block's child (the next block of a
 * chain). Prefix lookups follow it before probing the index: a chain's blocks are committed once
 * and looked up by every request that shares them, and a hint that still holds (the block is
 * cached for the model under the expected hash) saves a random probe of the index.
 */
const CHILD = 2 * HASH + 2;

/** Scratch splitting a key into the int32 words it occupies in `meta`. */
const wide = new BigUint64Array(1);
const halves = new Int32Array(wide.buffer);

/**
 * The paged KV cache's block allocator and prefix-cache index, as flat typed arrays.
 *
 * Every block is in exactly one of three states:
 *  - referenced (refCount > 0): in some sequence's block table;
 *  - cached (refCount 0, has a hash): reusable by prefix, in the LRU list, evictable;
 *  - free (refCount 0, no hash): on the free stack, or not yet allocated since the pool was made.
 * Allocation takes a free block first and only then evicts the least recently released cached
 * block (emitting `removed`). Committing a full block's hash emits `stored`. Releasing a block
 * that is not referenced throws: a double free is a bug, never tolerated silently.
 */
export class BlockPool {
  readonly total: number;
  /** Per block: reference count, LRU links, hash state, hash (64 bits) and child hint. */
  private readonly meta: Int32Array;
  /** The same memory as 64-bit words: block b's hash at b * S64 + HASH. */
  private readonly keys: BigUint64Array;
  /** Per block, its parent's hash (0n for a root), as committed: cold, only `snapshot` reads it. */
  private readonly parents: BigUint64Array;
  /** Released blocks, last released on top (taken first). */
  private readonly freeStack: Int32Array;
  private freeTop = 0;
  /**
   * Blocks from here up were never allocated: free, and handed out in ascending order once the
   * stack is empty (as if they sat below it, lowest on top), so a new pool costs no pass over them.
   */
  private untouched = 0;
  private lruHead = NONE;
  private lruTail = NONE;
  private lruSize = 0;
  /** Per model index, made on the model's first commit (most engines serve one model at a time). */
  private readonly index: (BlockIndex | undefined)[];

  constructor(
    total: number,
    private readonly models: readonly string[],
    private readonly events: EventRecorder,
  ) {
    if (!Number.isInteger(total) || total <= 0) throw new RangeError(`block count must be a positive integer, got ${total}`);
    this.total = total;
    this.meta = new Int32Array(total * S);
    this.keys = new BigUint64Array(this.meta.buffer);
    this.parents = new BigUint64Array(total);
    this.freeStack = new Int32Array(total);
    this.index = models.map(() => undefined);
  }

  /** Blocks obtainable by `allocate` right now (free plus evictable). */
  available(): number {
    return this.freeTop + (this.total - this.untouched) + this.lruSize;
  }

  /** Blocks in some sequence's block table. */
  referenced(): number {
    return this.total - this.available();
  }

  /** Cached blocks (referenced or not) that a prefix lookup can hit. */
  cachedCount(): number {
    let n = 0;
    for (const m of this.index) n += m?.size ?? 0;
    return n;
  }

  refs(block: number): number {
    return this.meta[block * S + REF]!;
  }

  /** A fresh block with refCount 1, or -1 when every block is referenced. */
  allocate(): number {
    let block: number;
    if (this.freeTop > 0) {
      block = this.freeStack[--this.freeTop]!;
    } else if (this.untouched < this.total) {
      block = this.untouched++;
    } else if (this.lruHead !== NONE) {
      block = this.lruHead;
      this.lruRemove(block);
      this.uncache(block);
    } else {
      return NONE;
    }
    this.meta[block * S + REF] = 1;
    return block;
  }

  /** The cached block holding `hash` for model index `modelIdx`, or -1. */
  lookup(modelIdx: number, hash: bigint): number {
    return this.index[modelIdx]?.get(hash) ?? NONE;
  }

  /**
   * `lookup` of the block after `parent` in a chain (the block found for the previous key, or -1
   * for the first): the same answer, found by `parent`'s child hint without probing the index
   * when the hint holds. Prefix walks call it block after block.
   */
  lookupAfter(parent: number, modelIdx: number, hash: bigint): number {
    if (parent >= 0) {
      const child = this.meta[parent * S + CHILD]!;
      const at = child * S;
      wide[0] = hash;
      // A block with this model state is in the index under its hash, and hashes are unique there.
      if (this.meta[at + STATE] === modelIdx + 1 && this.meta[at + HASH_LO] === halves[0] && this.meta[at + HASH_HI] === halves[1]) return child;
    }
    return this.lookup(modelIdx, hash);
  }

  /** Takes a reference on a cached block found by `lookup` (removing it from the LRU if idle). */
  acquire(block: number): void {
    const at = block * S + REF;
    if (this.meta[at] === 0) this.lruRemove(block);
    this.meta[at]! += 1;
  }

  /**
   * Publishes a referenced, now full block under `hash`. Returns false, leaving the block private,
   * when another block already holds that hash (two sequences computed the same prefix at once).
   * `parentBlock` (the sequence's previous block, -1 for none) gets this block as its child hint.
   */
  commit(block: number, modelIdx: number, hash: bigint, parentHash: bigint, parentBlock = NONE): boolean {
    const at = block * S;
    if (this.meta[at + REF]! <= 0) throw new Error(`commit of unreferenced block ${block}`);
    if (this.meta[at + STATE] !== 0) throw new Error(`block ${block} is already committed`);
    const index = (this.index[modelIdx] ??= new BlockIndex(this.total, { words: this.meta, stride: S, offset: HASH_HI }));
    // The index reads the high half of the key from the record: written first (a private block's record is its own).
    this.keys[block * S64 + HASH] = hash;
    if (!index.add(hash, block)) return false;
    this.meta[at + STATE] = modelIdx + 1;
    this.parents[block] = parentHash;
    if (parentBlock >= 0) this.meta[parentBlock * S + CHILD] = block;
    this.events.stored(this.models[modelIdx]!, hash, parentHash);
    return true;
  }

  /** Drops one reference; the last one makes the block cached (if committed) or free. */
  release(block: number): void {
    const at = block * S;
    const rc = this.meta[at + REF]!;
    if (rc <= 0) throw new Error(`double free of block ${block}`);
    this.meta[at + REF] = rc - 1;
    if (rc > 1) return;
    if (this.meta[at + STATE] !== 0) this.lruAppend(block);
    else this.freeStack[this.freeTop++] = block;
  }

  /** Every cached block as (model, hash, parent), each block after its cached parent. */
  snapshot(): { model: string; hash: bigint; parentHash: bigint }[] {
    const out: { model: string; hash: bigint; parentHash: bigint }[] = [];
    const done = new Uint8Array(this.total);
    const visit = (b: number): void => {
      if (done[b] === 1) return;
      done[b] = 1;
      const m = this.meta[b * S + STATE]! - 1;
      const parentHash = this.parents[b]!;
      const p = this.lookup(m, parentHash);
      if (p >= 0) visit(p);
      out.push({ model: this.models[m]!, hash: this.keys[b * S64 + HASH]!, parentHash });
    };
    for (const idx of this.index) if (idx !== undefined) for (const b of idx.values()) visit(b);
    return out;
  }

  /** Cached blocks in eviction order (first = next to go). For tests and diagnostics. */
  evictionOrder(): bigint[] {
    const out: bigint[] = [];
    for (let b = this.lruHead; b !== NONE; b = this.meta[b * S + NEXT]!) out.push(this.keys[b * S64 + HASH]!);
    return out;
  }

  /** Throws unless the three block states partition the pool exactly. */
  checkInvariants(): void {
    const seen = new Uint8Array(this.total);
    const ref = (b: number): number => this.meta[b * S + REF]!;
    const hashed = (b: number): boolean => this.meta[b * S + STATE] !== 0;
    for (let i = 0; i < this.freeTop; i++) {
      const b = this.freeStack[i]!;
      if (seen[b] || ref(b) !== 0 || hashed(b)) throw new Error(`free block ${b} is inconsistent`);
      seen[b] = 1;
    }
    for (let b = this.untouched; b < this.total; b++) {
      if (seen[b] || ref(b) !== 0 || hashed(b)) throw new Error(`untouched block ${b} is inconsistent`);
      seen[b] = 1;
    }
    let n = 0;
    for (let b = this.lruHead; b !== NONE; b = this.meta[b * S + NEXT]!, n++) {
      if (seen[b] || ref(b) !== 0 || !hashed(b)) throw new Error(`cached block ${b} is inconsistent`);
      seen[b] = 1;
    }
    if (n !== this.lruSize) throw new Error('LRU size mismatch');
    for (let b = 0; b < this.total; b++) {
      if (!seen[b] && ref(b) <= 0) throw new Error(`block ${b} is lost`);
      if (ref(b) < 0) throw new Error(`block ${b} has a negative refcount`);
    }
  }

  private uncache(block: number): void {
    const m = this.meta[block * S + STATE]! - 1;
    const hash = this.keys[block * S64 + HASH]!;
    this.index[m]?.deleteBlock(hash, block);
    this.meta[block * S + STATE] = 0;
    this.events.removed(this.models[m]!, hash);
  }

  private lruAppend(block: number): void {
    const at = block * S;
    this.meta[at + PREV] = this.lruTail;
    this.meta[at + NEXT] = NONE;
    if (this.lruTail !== NONE) this.meta[this.lruTail * S + NEXT] = block;
    else this.lruHead = block;
    this.lruTail = block;
    this.lruSize++;
  }

  private lruRemove(block: number): void {
    const at = block * S;
    const p = this.meta[at + PREV]!;
    const n = this.meta[at + NEXT]!;
    if (p !== NONE) this.meta[p * S + NEXT] = n;
    else this.lruHead = n;
    if (n !== NONE) this.meta[n * S + PREV] = p;
    else this.lruTail = p;
    this.meta[at + PREV] = NONE;
    this.meta[at + NEXT] = NONE;
    this.lruSize--;
  }
}
