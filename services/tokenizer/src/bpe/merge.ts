import type { PairLookup } from './pair-table.js';

let ranks = new Float64Array(256);
let results = new Int32Array(256);
let prev = new Int32Array(256);
let next = new Int32Array(256);
let heap = new Float64Array(256);

/** Above this many symbols the heap-based merge (O(n log n)) replaces the linear scans (O(n^2)). */
const LINEAR_MAX = 48;
/** Heap keys are rank * 2^32 + position: ranks below 2^21, so the key is an exact double. */
const POS = 2 ** 32;

/**
 * Applies a Hugging Face BPE merge list to `syms[0..n)` in place and returns the new length:
 * repeatedly the adjacent pair with the lowest merge rank, leftmost on ties, is replaced by its
 * merge result, until no adjacent pair has a merge. This is the order of `tokenizers`'
 * Word::merge_all (a heap keyed by rank, then position). `strategy` forces one algorithm (tests
 * compare them); by default short inputs scan linearly. Not reentrant (shared scratch space).
 */
export function mergeSymbols(syms: Int32Array, n: number, pairs: PairLookup, strategy: 'auto' | 'linear' | 'heap' = 'auto'): number {
  if (n < 2) return n;
  if (heap.length < 2 * n) grow(n);
  const linear = strategy === 'linear' || (strategy === 'auto' && n <= LINEAR_MAX);
  return linear ? mergeLinear(syms, n, pairs) : mergeHeap(syms, n, pairs);
}

/** Room for n symbols; the heap holds at most 2n keys (n - 1 initial pairs plus one per merge). */
function grow(n: number): void {
  ranks = new Float64Array(2 * n);
  results = new Int32Array(2 * n);
  prev = new Int32Array(2 * n);
  next = new Int32Array(2 * n);
  heap = new Float64Array(2 * n);
}

function rankOf(pairs: PairLookup, a: number, b: number): number {
  const slot = pairs.find(a, b);
  return slot < 0 ? Infinity : pairs.rankAt(slot);
}

/**
 * Pair i's rank into ranks[i] and its merge result into results[i] (values, not table slots: a
 * lazily filled PairLookup may move its slots between lookups).
 */
function lookUp(pairs: PairLookup, syms: Int32Array, i: number): void {
  const slot = pairs.find(syms[i]!, syms[i + 1]!);
  if (slot < 0) {
    ranks[i] = Infinity;
  } else {
    ranks[i] = pairs.rankAt(slot);
    results[i] = pairs.resultAt(slot);
  }
}

/** Linear scans; the arrays are shifted by hand (copyWithin's call costs more on these short runs). */
function mergeLinear(syms: Int32Array, n: number, pairs: PairLookup): number {
  for (let i = 0; i < n - 1; i++) lookUp(pairs, syms, i);
  ranks[n - 1] = Infinity;
  while (n > 1) {
    let best = Infinity;
    let at = -1;
    for (let i = 0; i < n - 1; i++) {
      if (ranks[i]! < best) {
        best = ranks[i]!;
        at = i;
      }
    }
    if (at < 0) break;
    syms[at] = results[at]!;
    n--;
    for (let i = at + 1; i < n; i++) {
      syms[i] = syms[i + 1]!;
      ranks[i] = ranks[i + 1]!;
      results[i] = results[i + 1]!;
    }
    if (at + 1 < n) lookUp(pairs, syms, at);
    else ranks[at] = Infinity;
    if (at > 0) lookUp(pairs, syms, at - 1);
  }
  return n;
}

function mergeHeap(syms: Int32Array, n: number, pairs: PairLookup): number {
  let size = 0;
  const push = (key: number): void => {
    let i = size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]! <= key) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = key;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap[--size]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && heap[child + 1]! < heap[child]!) child++;
      if (heap[child]! >= last) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  };
  for (let i = 0; i < n; i++) {
    prev[i] = i - 1;
    next[i] = i + 1 < n ? i + 1 : -1;
    if (i + 1 < n) {
      const r = rankOf(pairs, syms[i]!, syms[i + 1]!);
      if (r !== Infinity) push(r * POS + i);
    }
  }
  while (size > 0) {
    const key = pop();
    const pos = key % POS;
    const rank = (key - pos) / POS;
    const right = next[pos]!;
    if (syms[pos] === -1 || right < 0) continue;
    const slot = pairs.find(syms[pos]!, syms[right]!);
    if (slot < 0 || pairs.rankAt(slot) !== rank) continue;
    syms[pos] = pairs.resultAt(slot);
    syms[right] = -1;
    const after = next[right]!;
    next[pos] = after;
    if (after >= 0) prev[after] = pos;
    const before = prev[pos]!;
    if (before >= 0) {
      const r = rankOf(pairs, syms[before]!, syms[pos]!);
      if (r !== Infinity) push(r * POS + before);
    }
    if (after >= 0) {
      const r = rankOf(pairs, syms[pos]!, syms[after]!);
      if (r !== Infinity) push(r * POS + pos);
    }
  }
  let out = 0;
  for (let i = 0; i >= 0; i = next[i]!) syms[out++] = syms[i]!;
  return out;
}

/** `syms[0..n)` as a new array (no subarray view in between). */
export function toIds(syms: Int32Array, n: number): number[] {
  const ids = new Array<number>(n);
  for (let i = 0; i < n; i++) ids[i] = syms[i]!;
  return ids;
}
