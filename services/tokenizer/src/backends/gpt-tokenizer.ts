import type { TokenizerBackend } from '../backend.js';
import type { OpenAiEncoding } from '../catalogue.js';

/** The part of gpt-tokenizer's GptEncoding used here. */
interface Encoding {
  encode(text: string, options: { allowedSpecial: Set<string>; disallowedSpecial: Set<string> }): number[];
  specialTokensEncoder: Map<string, number>;
  bytePairEncodingCoreProcessor?: BpeCore;
}

/**
 * Unicode White_Space as Rust's regex `\s` (and so tiktoken) matches it. JavaScript's `\s`
 * differs in two code points: it also matches U+FEFF and does not match U+0085, so
 * gpt-tokenizer's split patterns, run as they ship, give other ids than tiktoken for text with
 * a BOM or a NEL (the parity corpus has both).
 */
const WHITE_SPACE = String.raw`\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000`;

/** The pattern with every `\s` / `\S` replaced by tiktoken's White_Space set; the flags are kept. */
export function withTiktokenWhitespace(pattern: RegExp): RegExp {
  const src = pattern.source;
  let out = '';
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === '\\') {
      const next = src[i + 1] ?? '';
      i++;
      if (next === 's') out += inClass ? WHITE_SPACE : `[${WHITE_SPACE}]`;
      else if (next === 'S' && !inClass) out += `[^${WHITE_SPACE}]`;
      else if (next === 'S') throw new Error('\\S inside a character class is not supported');
      else out += c + next;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return new RegExp(out, pattern.flags);
}

/**
 * Special tokens per encoding, as tiktoken defines them (tiktoken_ext/openai_public.py), plus
 * the ChatML tokens the `chatml` chat format needs. OpenAI publishes ChatML ids for cl100k
 * (100264-100266, tiktoken's README); for o200k it publishes none, and the ids gpt-tokenizer
 * assigns are used (so chat counts for `openai-o200k` are an estimate, see the README).
 * o200k_harmony's table comes from gpt-tokenizer itself, which matches tiktoken's.
 */
const SPECIALS: Record<Exclude<OpenAiEncoding, 'o200k_harmony'>, Record<string, number>> = {
  cl100k_base: {
    '<|endoftext|>': 100257, '<|fim_prefix|>': 100258, '<|fim_middle|>': 100259, '<|fim_suffix|>': 100260,
    '<|endofprompt|>': 100276, '<|im_start|>': 100264, '<|im_end|>': 100265, '<|im_sep|>': 100266,
  },
  o200k_base: { '<|endoftext|>': 199999, '<|endofprompt|>': 200018, '<|im_start|>': 200003, '<|im_end|>': 200004, '<|im_sep|>': 200005 },
};

/**
 * OpenAI BPE encodings through `gpt-tokenizer` (ranks bundled in the package; identical to
 * OpenAI's published files, which the parity test proves through tiktoken's SHA-256 check).
 * gpt-oss uses `o200k_harmony`: o200k_base (identical ids below 199998) plus the harmony control
 * tokens. Raw text is encoded with no special token allowed, so "<|start|>" in user text is text.
 * Ids at or above the rank count that name no special token (reserved slots) decode to nothing.
 */
export class GptTokenizerBackend implements TokenizerBackend {
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly vocabSize: number;
  private readonly specialIds: Map<number, Uint8Array>;
  private readonly core: BpeCore;
  private static readonly noSpecials = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

  private bomSafeLoad: Promise<BomSafeEncoder> | undefined;

  private constructor(
    private readonly enc: Encoding,
    private readonly encoding: OpenAiEncoding,
    private readonly regularVocabSize: number,
    /** The pre-tokenizer (tiktoken's pattern with tiktoken's whitespace), global and unicode. */
    private readonly splitRegex: RegExp,
  ) {
    const specials = new Map(encoding === 'o200k_harmony' ? enc.specialTokensEncoder : Object.entries(SPECIALS[encoding]));
    this.specialTokens = specials;
    this.specialIds = new Map([...specials].map(([t, id]) => [id, utf8.encode(t)]));
    this.vocabSize = Math.max(regularVocabSize, ...specials.values()) + 1;
    const core = enc.bytePairEncodingCoreProcessor;
    if (typeof core?.decodeNativeGenerator !== 'function') throw new Error('unsupported gpt-tokenizer version: no byte-level decoder');
    this.core = core;
  }

  /**
   * Loads the encoding's rank table (bundled in the package) into a private GptEncoding whose
   * split pattern uses tiktoken's whitespace (see WHITE_SPACE); ids at or above
   * regularVocabSize are special or reserved.
   */
  static async load(encoding: OpenAiEncoding, regularVocabSize: number): Promise<GptTokenizerBackend> {
    const [gptEncoding, modelParams, ranks] = await Promise.all([
      import('gpt-tokenizer/GptEncoding') as unknown as Promise<{ GptEncoding: new (params: object) => Encoding }>,
      import('gpt-tokenizer/modelParams') as unknown as Promise<{ getEncodingParams(name: string, ranks: () => unknown): { tokenSplitRegex: RegExp } }>,
      import(`gpt-tokenizer/bpeRanks/${encoding === 'o200k_harmony' ? 'o200k_base' : encoding}`) as Promise<{ default: unknown }>,
    ]);
    const params = modelParams.getEncodingParams(encoding, () => ranks.default);
    const split = withTiktokenWhitespace(params.tokenSplitRegex);
    const enc = new gptEncoding.GptEncoding({ ...params, tokenSplitRegex: split });
    return new GptTokenizerBackend(enc, encoding, regularVocabSize, new RegExp(split.source, split.flags.includes('g') ? split.flags : `${split.flags}g`));
  }

  async encodeTexts(texts: readonly string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (const t of texts) out.push(t.includes('\ufeff') ? await this.encodeWithBom(t) : this.enc.encode(t, GptTokenizerBackend.noSpecials));
    return out;
  }

  /**
   * A text holding U+FEFF, split into its pre-token pieces: only the pieces that hold U+FEFF take
   * the byte-exact (and 40-50x slower) path; the others stay on gpt-tokenizer. Each piece is
   * encoded alone, which is what BPE does per piece anyway; encoding runs of pieces instead would
   * change the pattern's lookahead at each cut.
   */
  private async encodeWithBom(text: string): Promise<number[]> {
    const exact = await this.bomSafe();
    const ids: number[] = [];
    for (const m of text.matchAll(this.splitRegex)) {
      const piece = m[0];
      const pieceIds = piece.includes('\ufeff') ? exact.encode(piece, [], []) : this.enc.encode(piece, GptTokenizerBackend.noSpecials);
      for (const id of pieceIds) ids.push(id);
    }
    return ids;
  }

  /**
   * gpt-tokenizer turns byte pieces into string keys with a TextDecoder that drops a leading
   * U+FEFF (BOM), so a piece holding one gets other ids than tiktoken's. Such pieces (rare) are
   * encoded with js-tiktoken, which merges raw bytes, given the same whitespace fix; the parity
   * test covers both paths.
   */
  private bomSafe(): Promise<BomSafeEncoder> {
    this.bomSafeLoad ??= (async () => {
      const { Tiktoken } = await import('js-tiktoken/lite');
      const file = this.encoding === 'cl100k_base' ? 'cl100k_base' : 'o200k_base';
      const ranks = (await import(`js-tiktoken/ranks/${file}`) as { default: { pat_str: string; special_tokens: Record<string, number>; bpe_ranks: string } }).default;
      return new Tiktoken({ ...ranks, pat_str: withTiktokenWhitespace(new RegExp(ranks.pat_str, 'gu')).source });
    })();
    return this.bomSafeLoad;
  }

  /**
   * Concatenates the tokens' bytes and decodes them once with a fresh, non-streaming UTF-8
   * decoder. gpt-tokenizer's own `decode` is not used: it feeds a module-wide TextDecoder in
   * streaming mode and never flushes it, so an incomplete character at the end of one call leaks
   * into the next call's output.
   */
  decode(ids: readonly number[], skipSpecialTokens: boolean): string {
    const parts: Uint8Array[] = [];
    let run: number[] = [];
    const flushRun = (): void => {
      if (run.length === 0) return;
      for (const part of this.core.decodeNativeGenerator(run)) parts.push(typeof part === 'string' ? utf8.encode(part) : part);
      run = [];
    };
    for (const id of ids) {
      if (id < this.regularVocabSize) {
        run.push(id);
        continue;
      }
      const special = this.specialIds.get(id);
      if (special === undefined || skipSpecialTokens) continue;
      flushRun();
      parts.push(special);
    }
    flushRun();
    return parts.length === 1 ? textDecoder.decode(parts[0]) : textDecoder.decode(Buffer.concat(parts));
  }
}

interface BomSafeEncoder {
  encode(text: string, allowedSpecial: string[], disallowedSpecial: string[]): number[];
}

/** The internals of gpt-tokenizer used for byte-exact decoding (present in v4; checked at load). */
interface BpeCore {
  decodeNativeGenerator(ids: Iterable<number>): Generator<string | Uint8Array>;
}

const utf8 = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });
