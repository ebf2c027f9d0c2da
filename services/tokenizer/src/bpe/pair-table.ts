/**
 * An open-addressing hash table from a pair of token ids to a merge (its rank and the id it
 * produces): the merge list of a Hugging Face BPE model, with integer keys so that a lookup
 * allocates nothing. Ids must be in [0, 2^31). Linear probing; load factor at most 1/2.
 */
export class PairTable {
  /** Pairs stored. */
  size = 0;
  /** Pairs the table takes before probing degrades (half its slots). */
  readonly capacity: number;
  private readonly mask: number;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly ranks: Int32Array;
  private readonly results: Int32Array;

  /** A table sized for `capacity` pairs. */
  constructor(capacity: number) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.mask = size - 1;
    this.capacity = size / 2;
    this.left = new Int32Array(size).fill(-1);
    this.right = new Int32Array(size);
    this.ranks = new Int32Array(size);
    this.results = new Int32Array(size);
  }

  /** The merge list of a tokenizer.json ("a b" strings or [a, b] pairs; rank = index). Throws on a merge naming an unknown token. */
  static fromMerges(vocab: Record<string, number>, merges: readonly (string | readonly [string, string])[]): PairTable {
    const table = new PairTable(merges.length);
    for (let rank = 0; rank < merges.length; rank++) {
      const m = merges[rank]!;
      const at = typeof m === 'string' ? m.indexOf(' ', 1) : -1;
      const a = typeof m === 'string' ? m.slice(0, at) : m[0];
      const b = typeof m === 'string' ? m.slice(at + 1) : m[1];
      const ia = vocab[a];
      const ib = vocab[b];
      const ir = vocab[a + b];
      if (ia === undefined || ib === undefined || ir === undefined) throw new Error(`merge ${rank} names a token outside the vocabulary`);
      table.add(ia, ib, rank, ir);
    }
    return table;
  }

  /** Adds a merge; the first one added for a pair wins (Hugging Face keeps the lowest rank). */
  add(a: number, b: number, rank: number, result: number): void {
    let i = slotOf(a, b) & this.mask;
    while (this.left[i] !== -1) {
      if (this.left[i] === a && this.right[i] === b) return;
      i = (i + 1) & this.mask;
    }
    this.left[i] = a;
    this.right[i] = b;
    this.ranks[i] = rank;
    this.results[i] = result;
    this.size++;
  }

  /** The slot holding the pair, or -1 (the merge list interface of mergeSymbols): read its rank and result with `rankAt`/`resultAt`. */
  find(a: number, b: number): number {
    let i = slotOf(a, b) & this.mask;
    for (;;) {
      const l = this.left[i]!;
      if (l === -1) return -1;
      if (l === a && this.right[i] === b) return i;
      i = (i + 1) & this.mask;
    }
  }

  rankAt(slot: number): number {
    return this.ranks[slot]!;
  }

  resultAt(slot: number): number {
    return this.results[slot]!;
  }
}

function slotOf(a: number, b: number): number {
  return (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) >>> 0;
}

/** What mergeSymbols needs of a merge list: PairTable, or a table filled on demand. */
export interface PairLookup {
  find(a: number, b: number): number;
  rankAt(slot: number): number;
  resultAt(slot: number): number;
}

/**
 * Writes `byteIds[b]` for each UTF-8 byte b of well-formed `s` into `out` from index 0; returns
 * the count. `out` must have room for 3 entries per UTF-16 unit.
 */
export function utf8Symbols(s: string, byteIds: Int32Array, out: Int32Array): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = byteIds[c]!;
    } else if (c < 0x800) {
      out[n++] = byteIds[0xc0 | (c >> 6)]!;
      out[n++] = byteIds[0x80 | (c & 0x3f)]!;
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
      out[n++] = byteIds[0xf0 | (c >> 18)]!;
      out[n++] = byteIds[0x80 | ((c >> 12) & 0x3f)]!;
      out[n++] = byteIds[0x80 | ((c >> 6) & 0x3f)]!;
      out[n++] = byteIds[0x80 | (c & 0x3f)]!;
    } else {
      out[n++] = byteIds[0xe0 | (c >> 12)]!;
      out[n++] = byteIds[0x80 | ((c >> 6) & 0x3f)]!;
      out[n++] = byteIds[0x80 | (c & 0x3f)]!;
    }
  }
  return n;
}
