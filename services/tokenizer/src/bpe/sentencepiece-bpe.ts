import { AddedTokenMatcher } from './added-tokens.js';
import type { HfTokenizerJson } from './hf-json.js';
import { mergeSymbols, toIds } from './merge.js';
import { PairTable } from './pair-table.js';
import { PieceCache } from './piece-cache.js';

const SPACE = '\u2581';

/**
 * A SentencePiece-style BPE tokenizer.json (Gemma 3: spaces replaced by U+2581, no
 * pre-tokenization, merges over code points, unknown characters as `<0xXX>` byte tokens) encoded
 * in plain JavaScript with the ids of Hugging Face `tokenizers`.
 *
 * `tokenizers` merges each stretch between added tokens as one word. That word is cut here into
 * segments at positions no vocabulary token can span: before a U+2581 whose left neighbour c is
 * not U+2581 and no token contains c followed by U+2581 (checked against the whole vocabulary at
 * load). Every merge result is a vocabulary token, so no merge crosses such a cut, and merging the
 * segments one by one gives the same ids as merging the word, while repeated segments ("▁the")
 * come from a cache.
 */
export class SentencePieceBpe {
  private readonly pairs: PairTable;
  /** Single-code-point tokens of the BMP by code unit (-1: none), and above it by code point. */
  private readonly bmpIds = new Int32Array(0x10000).fill(-1);
  private readonly astralIds = new Map<number, number>();
  private readonly byteIds = new Int32Array(256);
  /** Code units c such that some token holds c followed by U+2581 (cuts are not made after them). */
  private readonly noCutBefore = new Set<number>();
  private readonly cache: PieceCache;
  private syms = new Int32Array(256);

  private constructor(json: HfTokenizerJson, private readonly added: AddedTokenMatcher, cacheSize: number) {
    const { vocab, merges } = json.model;
    for (const [token, id] of Object.entries(vocab)) {
      const cp = token.codePointAt(0)!;
      if (token.length === 1) this.bmpIds[cp] = id;
      else if (token.length === 2 && cp > 0xffff) this.astralIds.set(cp, id);
      for (let i = token.indexOf(SPACE, 1); i > 0; i = token.indexOf(SPACE, i + 1)) {
        if (token[i - 1] !== SPACE) this.noCutBefore.add(token.charCodeAt(i - 1));
      }
    }
    for (let b = 0; b < 256; b++) {
      const id = vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`];
      if (id === undefined) throw new Error(`byte-fallback vocabulary lacks byte ${b}`);
      this.byteIds[b] = id;
    }
    this.pairs = PairTable.fromMerges(vocab, merges);
    this.cache = new PieceCache(cacheSize);
  }

  /** The tokenizer, or why this implementation does not cover the file (the caller falls back). */
  static fromJson(json: HfTokenizerJson, cacheSize = 50_000): SentencePieceBpe | string {
    const m = json.model;
    if (m.type !== undefined && m.type !== 'BPE') return `model ${m.type}`;
    if ((m.dropout ?? null) !== null || m.byte_fallback !== true || m.ignore_merges === true) return 'needs byte fallback, no dropout, no ignore_merges';
    if ((m.continuing_subword_prefix ?? '') !== '' || (m.end_of_word_suffix ?? '') !== '') return 'subword affixes';
    const n = json.normalizer;
    if (n?.type !== 'Replace' || n.pattern?.String !== ' ' || n.content !== SPACE) return 'normalizer is not Replace(" ", "\u2581")';
    const pre = json.pre_tokenizer as { type?: string; pattern?: { String?: string }; behavior?: string; invert?: boolean } | null | undefined;
    const noOpSplit = pre?.type === 'Split' && pre.pattern?.String === ' ' && pre.invert === false;
    if (pre !== null && pre !== undefined && !noOpSplit) return 'pre-tokenizer other than a split on spaces';
    const plain = json.added_tokens.filter((t) => !t.special);
    if (plain.some((t) => t.single_word === true || t.lstrip === true || t.rstrip === true || t.normalized === true)) return 'added token options';
    return new SentencePieceBpe(json, new AddedTokenMatcher(plain), cacheSize);
  }

  /** The ids of well-formed `text`, no special tokens recognised, none added. */
  encode(text: string): number[] {
    const out: number[] = [];
    this.added.split(
      text,
      (from, to) => this.encodeRun((from === 0 && to === text.length ? text : text.slice(from, to)).replaceAll(' ', SPACE), out),
      (id) => out.push(id),
    );
    return out;
  }

  private encodeRun(text: string, out: number[]): void {
    let from = 0;
    for (let i = text.indexOf(SPACE, 1); i > 0; i = text.indexOf(SPACE, i + 1)) {
      const before = text.charCodeAt(i - 1);
      if (before === 0x2581 || this.noCutBefore.has(before)) continue;
      this.encodeSegment(text.slice(from, i), out);
      from = i;
    }
    this.encodeSegment(from === 0 ? text : text.slice(from), out);
  }

  private encodeSegment(seg: string, out: number[]): void {
    let ids = this.cache.get(seg);
    if (ids === undefined) {
      ids = this.merge(seg);
      this.cache.set(seg, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
  }

  /** Code points (or their UTF-8 bytes as `<0xXX>` when not in the vocabulary), merged by rank. */
  private merge(seg: string): number[] {
    if (this.syms.length < 4 * seg.length) this.syms = new Int32Array(8 * seg.length);
    const syms = this.syms;
    let n = 0;
    for (let i = 0; i < seg.length; i++) {
      const unit = seg.charCodeAt(i);
      if (unit < 0xd800 || unit > 0xdfff) {
        const id = this.bmpIds[unit]!;
        if (id >= 0) {
          syms[n++] = id;
          continue;
        }
      }
      const cp = seg.codePointAt(i)!;
      if (cp > 0xffff) i++;
      const id = this.astralIds.get(cp);
      if (id !== undefined) {
        syms[n++] = id;
        continue;
      }
      for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) syms[n++] = this.byteIds[b]!;
    }
    return toIds(syms, mergeSymbols(syms, n, this.pairs));
  }
}
