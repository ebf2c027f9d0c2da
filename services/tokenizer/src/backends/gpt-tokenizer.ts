import { ByteRankBpe } from '../bpe/byte-rank-bpe.js';
import { withTiktokenWhitespace } from '../bpe/whitespace.js';
import type { TokenizerBackend } from '../backend.js';
import type { OpenAiEncoding } from '../catalogue.js';

/** The part of gpt-tokenizer's GptEncoding used here (its special tokens and byte-level decoder). */
interface Encoding {
  specialTokensEncoder: Map<string, number>;
  bytePairEncodingCoreProcessor?: BpeCore;
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
 * OpenAI BPE encodings: ranks bundled in `gpt-tokenizer` (identical to OpenAI's published files,
 * which the parity test proves through tiktoken's SHA-256 check), encoded by this package's
 * byte-exact `ByteRankBpe` (gpt-tokenizer's own encoder keys merges by text decoded with a
 * BOM-stripping TextDecoder, so a piece holding U+FEFF got other ids than tiktoken's; ByteRankBpe
 * merges bytes and is also 1.3-1.5x faster on the benchmark corpus). gpt-oss uses `o200k_harmony`:
 * o200k_base (identical ids below 199998) plus the harmony control tokens. Raw text is encoded with
 * no special token allowed, so "<|start|>" in user text is text. Ids at or above the rank count that
 * name no special token (reserved slots) decode to nothing.
 */
export class GptTokenizerBackend implements TokenizerBackend {
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly vocabSize: number;
  private readonly specialIds: Map<number, Uint8Array>;
  private readonly core: BpeCore;

  private constructor(
    enc: Encoding,
    encoding: OpenAiEncoding,
    private readonly regularVocabSize: number,
    private readonly bpe: ByteRankBpe,
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
   * Loads the encoding's rank table (bundled in the package) and its split pattern with
   * tiktoken's whitespace (see bpe/whitespace.ts); ids at or above regularVocabSize are special or
   * reserved. `cacheSize`: merged pieces kept per cache generation (0: none; see PieceCache).
   */
  static async load(encoding: OpenAiEncoding, regularVocabSize: number, cacheSize = 50_000): Promise<GptTokenizerBackend> {
    const [gptEncoding, modelParams, ranks] = await Promise.all([
      import('gpt-tokenizer/GptEncoding') as unknown as Promise<{ GptEncoding: new (params: object) => Encoding }>,
      import('gpt-tokenizer/modelParams') as unknown as Promise<{ getEncodingParams(name: string, ranks: () => unknown): { tokenSplitRegex: RegExp } }>,
      import(`gpt-tokenizer/bpeRanks/${encoding === 'o200k_harmony' ? 'o200k_base' : encoding}`) as Promise<{ default: (string | number[])[] }>,
    ]);
    const params = modelParams.getEncodingParams(encoding, () => ranks.default);
    const split = withTiktokenWhitespace(params.tokenSplitRegex);
    const enc = new gptEncoding.GptEncoding({ ...params, tokenSplitRegex: split });
    const bpe = new ByteRankBpe(ranks.default, new RegExp(split.source, split.flags.includes('g') ? split.flags : `${split.flags}g`), cacheSize);
    return new GptTokenizerBackend(enc, encoding, regularVocabSize, bpe);
  }

  encodeTexts(texts: readonly string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((t) => this.bpe.encode(t)));
  }

  /** Synchronous `encodeTexts` of one text (well-formed UTF-16). */
  encodeText(text: string): number[] {
    return this.bpe.encode(text);
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

/** The internals of gpt-tokenizer used for byte-exact decoding (present in v4; checked at load). */
interface BpeCore {
  decodeNativeGenerator(ids: Iterable<number>): Generator<string | Uint8Array>;
}

const utf8 = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });
