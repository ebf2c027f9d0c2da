/** 32-bit words per arena slab (4 MiB). */
const SLAB_WORDS = 1 << 20;
/** Idle slabs kept for reuse; more are left to the garbage collector. */
const MAX_SPARE_SLABS = 8;

interface Slab {
  readonly words: Uint32Array;
  /** Views handed out and not yet released. */
  live: number;
}

const slabOf = new Map<ArrayBufferLike, Slab>();
/** Arrays already handed back: a second release would free a slab that is still in use. */
const released = new WeakSet<Uint32Array>();
const spare: Slab[] = [];
let current: Slab = newSlab();
let used = 0;

function newSlab(): Slab {
  const slab: Slab = { words: new Uint32Array(SLAB_WORDS), live: 0 };
  slabOf.set(slab.words.buffer, slab);
  return slab;
}

/**
 * A token array of length `n` carved from a shared slab, its contents unspecified (callers fill
 * every element): one `new Uint32Array` per prompt costs an off-heap allocation each, and a fresh
 * 4 MiB slab costs a page fault per 4 KiB on first touch (a shared-prefix run carves 50 MB of
 * prompts), so slabs whose prompts were all released are reused. Prompts larger than a quarter
 * slab get their own array. Without `releaseTokens` a slab is simply left to the garbage
 * collector once no view of it is alive, as any typed array.
 */
export function tokenArray(n: number): Uint32Array {
  if (n > SLAB_WORDS / 4) return new Uint32Array(n);
  if (used + n > SLAB_WORDS) {
    if (current.live === 0) spareSlab(current);
    current = spare.pop() ?? newSlab();
    used = 0;
  }
  const out = current.words.subarray(used, used + n);
  used += n;
  current.live++;
  return out;
}

/**
 * Hands back an array from `tokenArray` that nothing reads or writes any more: once every array
 * of its slab is back, the slab's memory serves later prompts. Call it exactly once per array
 * (the simulator does, when a request finished or failed). Arrays of other origins are ignored.
 */
export function releaseTokens(tokens: Uint32Array): void {
  const slab = slabOf.get(tokens.buffer);
  if (slab === undefined || tokens.length === 0) return;
  if (released.has(tokens) || slab.live <= 0) throw new Error('token array released twice');
  released.add(tokens);
  slab.live--;
  if (slab.live === 0 && slab !== current) spareSlab(slab);
}

function spareSlab(slab: Slab): void {
  if (spare.length < MAX_SPARE_SLABS) spare.push(slab);
  else slabOf.delete(slab.words.buffer);
}
