import { AddedTokenMatcher } from './added-tokens.js';
import type { HfTokenizerJson } from './hf-json.js';
import { withTiktokenWhitespace } from './whitespace.js';
import { PairTable } from './pair-table.js';
import { PieceCache } from './piece-cache.js';
import { PieceMerger } from './piece-merger.js';

/**
 * A byte-level BPE tokenizer.json (GPT-2 style: Llama 3, Qwen3) encoded in plain JavaScript with
 * the ids of Hugging Face `tokenizers`: non-special added tokens are cut out of the raw text first,
 * the rest is NFC-normalised if the file says so, split by the file's regex (Isolated), mapped to
 * bytes, and merged by merge rank (lowest first, leftmost on ties), with `ignore_merges` honoured.
 * Special added tokens are never matched in text (the service places them as segments).
 * `fromJson` accepts only the configuration it implements and returns the reason otherwise, so
 * other files (Gemma's SentencePiece-style BPE) stay on the native binding.
 */
export class ByteLevelBpe {
  private readonly pairs: PairTable;
  private readonly byteIds = new Int32Array(256);
  /** With ignore_merges: pieces that are a vocabulary token, by their text. */
  private readonly wholeIds = new Map<string, number>();
  private readonly pieces: PieceMerger;

  private constructor(
    json: HfTokenizerJson,
    private readonly splitRegex: RegExp,
    private readonly nfc: boolean,
    private readonly added: AddedTokenMatcher | undefined,
    cacheSize: number,
  ) {
    const { vocab, merges } = json.model;
    const toByte = byteLevelDecoder();
    const alphabet = byteLevelAlphabet();
    for (let b = 0; b < 256; b++) {
      const id = vocab[alphabet[b]!];
      if (id === undefined) throw new Error(`byte-level vocabulary lacks byte ${b}`);
      this.byteIds[b] = id;
    }
    this.pairs = PairTable.fromMerges(vocab, merges);
    if (json.model.ignore_merges === true) {
      const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      for (const [token, id] of Object.entries(vocab)) {
        const bytes = new Uint8Array(token.length);
        let ok = true;
        for (let i = 0; i < token.length && ok; i++) {
          const b = toByte.get(token.charCodeAt(i));
          if (b === undefined) ok = false;
          else bytes[i] = b;
        }
        if (!ok) continue;
        try {
          this.wholeIds.set(strict.decode(bytes), id);
        } catch {
          // not valid UTF-8 on its own: never a whole piece of well-formed text
        }
      }
    }
    this.pieces = new PieceMerger(this.wholeIds, this.byteIds, this.pairs, new PieceCache(cacheSize));
  }

  /** The tokenizer, or why this implementation does not cover the file (the caller falls back). */
  static fromJson(json: HfTokenizerJson, cacheSize = 50_000): ByteLevelBpe | string {
    const m = json.model;
    if (m.type !== undefined && m.type !== 'BPE') return `model ${m.type}`;
    if ((m.dropout ?? null) !== null || m.byte_fallback === true) return 'dropout or byte fallback';
    if ((m.continuing_subword_prefix ?? '') !== '' || (m.end_of_word_suffix ?? '') !== '') return 'subword affixes';
    const norm = json.normalizer?.type;
    if (norm !== undefined && norm !== 'NFC') return `normalizer ${norm}`;
    const split = byteLevelSplit(json.pre_tokenizer);
    if (typeof split === 'string') return split;
    const plain = json.added_tokens.filter((t) => !t.special);
    if (plain.some((t) => t.single_word === true || t.lstrip === true || t.rstrip === true || t.normalized === true || t.content === '')) return 'added token options';
    return new ByteLevelBpe(json, split, norm === 'NFC', plain.length === 0 ? undefined : new AddedTokenMatcher(plain), cacheSize);
  }

  /** The ids of well-formed `text`, no special tokens recognised, none added. */
  encode(text: string): number[] {
    const out: number[] = [];
    if (this.added === undefined) {
      this.encodeRun(text, out);
      return out;
    }
    this.added.split(
      text,
      (from, to) => this.encodeRun(from === 0 && to === text.length ? text : text.slice(from, to), out),
      (id) => out.push(id),
    );
    return out;
  }

  private encodeRun(raw: string, out: number[]): void {
    const text = this.nfc ? raw.normalize('NFC') : raw;
    const re = this.splitRegex;
    re.lastIndex = 0;
    let from = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const piece = m[0];
      if (piece === '') {
        re.lastIndex++;
        continue;
      }
      if (m.index > from) this.pieces.encode(text.slice(from, m.index), out);
      this.pieces.encode(piece, out);
      from = m.index + piece.length;
    }
    if (from < text.length) this.pieces.encode(text.slice(from), out);
  }
}

/** The file's Split regex when the pre-tokenizer is exactly Sequence[Split(Regex, Isolated), ByteLevel(no prefix space, no regex)]. */
function byteLevelSplit(pre: unknown): RegExp | string {
  const p = pre as { type?: string; pretokenizers?: Record<string, unknown>[] } | null | undefined;
  const [split, bl, ...rest] = p?.type === 'Sequence' ? (p.pretokenizers ?? []) : [];
  if (split === undefined || bl === undefined || rest.length > 0) return 'pre-tokenizer is not Split + ByteLevel';
  const pattern = (split.pattern as { Regex?: string } | undefined)?.Regex;
  if (split.type !== 'Split' || split.behavior !== 'Isolated' || split.invert !== false || typeof pattern !== 'string') return 'split is not an isolated regex';
  if (bl.type !== 'ByteLevel' || bl.add_prefix_space !== false || bl.use_regex !== false) return 'byte-level options';
  return withTiktokenWhitespace(new RegExp(pattern, 'gu'));
}

/** GPT-2's bytes_to_unicode: byte -> the char standing for it in byte-level vocabularies. */
export function byteLevelAlphabet(): string[] {
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    out.push(String.fromCharCode(printable ? b : 256 + extra++));
  }
  return out;
}

function byteLevelDecoder(): Map<number, number> {
  return new Map(byteLevelAlphabet().map((c, b) => [c.charCodeAt(0), b]));
}
