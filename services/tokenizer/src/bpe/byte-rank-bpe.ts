import { PairTable, type PairLookup } from './pair-table.js';
import { PieceCache } from './piece-cache.js';
import { PieceMerger } from './piece-merger.js';

/**
 * tiktoken's byte pair encoding (OpenAI encodings), in plain JavaScript and byte-exact.
 *
 * A rank table maps byte strings to ranks (= token ids). Text is split into pieces by the
 * encoding's pattern; a piece that is itself a token is one lookup, otherwise its UTF-8 bytes are
 * merged pairwise, always the adjacent pair whose concatenation has the lowest rank (leftmost on
 * ties), until no adjacent pair is a token: tiktoken's `byte_pair_merge`. Every part is a token
 * at every step (all 256 bytes are tokens, and a merge yields a token), so the rule is a merge
 * list over pairs of token ids, (A, B) -> the token of A's bytes + B's bytes, with that token's
 * rank: `LazyPairs` looks each pair up by bytes the first time it is met and keeps the answer.
 * Pieces already seen come from a bounded cache.
 */
export class ByteRankBpe {
  /** Tokens whose bytes are valid UTF-8, by their text: a piece equal to one is a single lookup. */
  private readonly textRanks = new Map<string, number>();
  private readonly byteIds = new Int32Array(256);
  private readonly pairs: LazyPairs;
  private readonly pieces: PieceMerger;
  /** splitRegex, anchored at lastIndex: the match at a given position. */
  private readonly sticky: RegExp;

  /**
   * @param ranks index = rank; a string (the token's bytes as UTF-8 text) or its bytes; holes
   *   allowed. Every single byte must be a token (true of every OpenAI encoding).
   * @param splitRegex the encoding's pre-tokenizer pattern; must have the `g` flag.
   * @param cacheSize merged pieces kept per cache generation (0: no cache).
   */
  constructor(
    ranks: readonly (string | readonly number[] | undefined)[],
    private readonly splitRegex: RegExp,
    cacheSize = 50_000,
  ) {
    if (!splitRegex.global) throw new Error('ByteRankBpe: the split pattern needs the g flag');
    this.sticky = new RegExp(splitRegex.source, splitRegex.flags.replace('g', '') + 'y');
    /** Token bytes as latin1 strings (one char per byte) to rank. */
    const byteRanks = new Map<string, number>();
    const latin1: string[] = [];
    for (let rank = 0; rank < ranks.length; rank++) {
      const value = ranks[rank];
      if (value === undefined) continue;
      const key = typeof value === 'string' ? Buffer.from(value, 'utf8').toString('latin1') : String.fromCharCode(...value);
      if (typeof value === 'string') this.textRanks.set(value, rank);
      byteRanks.set(key, rank);
      latin1[rank] = key;
    }
    for (let b = 0; b < 256; b++) {
      const id = byteRanks.get(String.fromCharCode(b));
      if (id === undefined) throw new Error(`ByteRankBpe: byte ${b} is not a token`);
      this.byteIds[b] = id;
    }
    this.pairs = new LazyPairs(byteRanks, latin1);
    this.pieces = new PieceMerger(this.textRanks, this.byteIds, this.pairs, new PieceCache(cacheSize));
  }

  /** The ids of `text`, no special tokens recognised. `text` must be well-formed UTF-16. */
  encode(text: string): number[] {
    const out: number[] = [];
    const sticky = this.sticky;
    const len = text.length;
    let pos = 0;
    while (pos < len) {
      let end: number;
      sticky.lastIndex = pos;
      if (sticky.test(text)) {
        end = sticky.lastIndex;
      } else {
        // No match here: skip to the next match, as tiktoken's find_iter does (not reached with the OpenAI patterns).
        this.splitRegex.lastIndex = pos;
        const m = this.splitRegex.exec(text);
        if (m === null) break;
        pos = m.index;
        end = pos + m[0].length;
      }
      if (end <= pos) {
        pos++;
        continue;
      }
      this.pieces.encode(text.slice(pos, end), out);
      pos = end;
    }
    return out;
  }

}

/** Marks a pair known to have no merge. */
const NONE = 0x7fffffff;

/**
 * Pair lookups answered from the rank table (by the bytes of both tokens) and remembered in a
 * PairTable, misses included; when the table fills up, a twice larger one starts empty (up to
 * MAX_PAIRS pairs, then the same size), so memory stays bounded on any input.
 */
class LazyPairs implements PairLookup {
  private static readonly MAX_PAIRS = 1 << 19;
  private table = new PairTable(1 << 16);

  constructor(private readonly byteRanks: ReadonlyMap<string, number>, private readonly latin1: readonly string[]) {}

  find(a: number, b: number): number {
    const slot = this.table.find(a, b);
    if (slot >= 0) return this.table.rankAt(slot) === NONE ? -1 : slot;
    const rank = this.byteRanks.get(this.latin1[a]! + this.latin1[b]!) ?? NONE;
    if (this.table.size >= this.table.capacity) this.table = new PairTable(Math.min(2 * this.table.capacity, LazyPairs.MAX_PAIRS));
    this.table.add(a, b, rank, rank);
    return rank === NONE ? -1 : this.table.find(a, b);
  }

  rankAt(slot: number): number {
    return this.table.rankAt(slot);
  }

  resultAt(slot: number): number {
    return this.table.resultAt(slot);
  }
}
