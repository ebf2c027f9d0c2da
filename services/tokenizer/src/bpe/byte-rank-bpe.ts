import { ByteVocab, HASH_SEED } from './byte-vocab.js';
import { PieceCache } from './piece-cache.js';
import { RankMerger } from './rank-merger.js';
import { scannerFor, type SplitScanner } from './tiktoken-split.js';

/**
 * tiktoken's byte pair encoding (OpenAI encodings), in plain JavaScript and byte-exact.
 *
 * A rank table maps byte strings to ranks (= token ids). Text is split into pieces by the
 * encoding's pattern (a hand-written scanner for o200k_base's and cl100k_base's, `tiktoken-split.ts`;
 * the regex for any other); each piece's UTF-8 bytes are written once into a reused buffer and
 * hashed on the way, so a piece that is itself a token is one lookup in `ByteVocab` with no
 * string made; otherwise its bytes are merged pairwise, always the adjacent pair whose
 * concatenation has the lowest rank (leftmost on ties), until no adjacent pair is a token:
 * tiktoken's `byte_pair_merge` (`RankMerger`). Merged pieces go to a bounded cache.
 */
export class ByteRankBpe {
  private readonly vocab: ByteVocab;
  private readonly byteIds = new Int32Array(256);
  private readonly merger: RankMerger;
  private readonly cache: PieceCache | undefined;
  private readonly scan: SplitScanner | undefined;
  /** splitRegex, anchored at lastIndex: the match at a given position (when there is no scanner). */
  private readonly sticky: RegExp;
  private buf = new Uint8Array(1024);
  private syms = new Int32Array(1024);

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
    this.scan = scannerFor(splitRegex);
    this.vocab = new ByteVocab(ranks);
    const one = new Uint8Array(1);
    for (let b = 0; b < 256; b++) {
      one[0] = b;
      const id = this.vocab.find(one, 1, Math.imul(HASH_SEED ^ b, 0x01000193));
      if (id < 0) throw new Error(`ByteRankBpe: byte ${b} is not a token`);
      this.byteIds[b] = id;
    }
    this.merger = new RankMerger(this.vocab, this.byteIds);
    this.cache = cacheSize > 0 ? new PieceCache(cacheSize) : undefined;
  }

  /** The ids of `text`, no special tokens recognised. `text` must be well-formed UTF-16. */
  encode(text: string): number[] {
    const out: number[] = [];
    const len = text.length;
    if (this.buf.length < 3 * len) this.buf = new Uint8Array(3 * len);
    const scan = this.scan;
    if (scan !== undefined) {
      for (let pos = 0; pos < len;) {
        const end = scan(text, pos);
        this.piece(text, pos, end, out);
        pos = end;
      }
      return out;
    }
    const sticky = this.sticky;
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
      this.piece(text, pos, end, out);
      pos = end;
    }
    return out;
  }

  /** Appends the ids of `text[from..to)`. */
  private piece(text: string, from: number, to: number, out: number[]): void {
    const buf = this.buf;
    let n = 0;
    let h = HASH_SEED;
    for (let i = from; i < to; i++) {
      let c = text.charCodeAt(i);
      if (c < 0x80) {
        buf[n++] = c;
        h = Math.imul(h ^ c, 0x01000193);
        continue;
      }
      if (c < 0x800) {
        const b0 = 0xc0 | (c >> 6);
        const b1 = 0x80 | (c & 0x3f);
        buf[n++] = b0;
        buf[n++] = b1;
        h = Math.imul(Math.imul(h ^ b0, 0x01000193) ^ b1, 0x01000193);
        continue;
      }
      if ((c & 0xfc00) === 0xd800 && i + 1 < to && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
        const b0 = 0xf0 | (c >> 18);
        buf[n++] = b0;
        h = Math.imul(h ^ b0, 0x01000193);
        const b1 = 0x80 | ((c >> 12) & 0x3f);
        buf[n++] = b1;
        h = Math.imul(h ^ b1, 0x01000193);
      } else {
        const b0 = 0xe0 | (c >> 12);
        buf[n++] = b0;
        h = Math.imul(h ^ b0, 0x01000193);
      }
      const b2 = 0x80 | ((c >> 6) & 0x3f);
      const b3 = 0x80 | (c & 0x3f);
      buf[n++] = b2;
      buf[n++] = b3;
      h = Math.imul(Math.imul(h ^ b2, 0x01000193) ^ b3, 0x01000193);
    }
    const id = this.vocab.find(buf, n, h);
    if (id >= 0) {
      out.push(id);
      return;
    }
    const cache = this.cache;
    if (cache === undefined) {
      this.merge(n, out);
      return;
    }
    const key = text.slice(from, to);
    let ids = cache.get(key);
    if (ids === undefined) {
      const at = out.length;
      this.merge(n, out);
      ids = out.slice(at);
      cache.set(key, ids);
      return;
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
  }

  /** Merges the n bytes in buf, appending the ids. */
  private merge(n: number, out: number[]): void {
    if (this.syms.length < n) this.syms = new Int32Array(2 * n);
    const syms = this.syms;
    const m = this.merger.mergeBytes(this.buf, n, syms);
    for (let i = 0; i < m; i++) out.push(syms[i]!);
  }
}
