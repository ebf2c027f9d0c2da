import type { TokenizerBackend } from '../backend.js';

// eslint-disable-next-line @typescript-eslint/consistent-type-imports -- the module's namespace type, loaded lazily below
type Encoding = typeof import('gpt-tokenizer/encoding/o200k_harmony');

/**
 * OpenAI BPE encodings through `gpt-tokenizer`. gpt-oss uses `o200k_harmony`: the o200k_base
 * vocabulary (ids below 199998 are identical) plus the harmony control tokens (<|start|>,
 * <|message|>, <|end|>, <|channel|>, <|return|>, <|call|>, ...) that plain o200k_base lacks.
 * Raw text is encoded with no special token allowed, so "<|start|>" in user text is ordinary text.
 */
export class GptTokenizerBackend implements TokenizerBackend {
  readonly specialTokens: ReadonlyMap<string, number>;
  readonly vocabSize: number;
  private readonly specialIds: Map<number, string>;
  private readonly core: BpeCore;
  private static readonly noSpecials = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

  private constructor(private readonly enc: Encoding, private readonly regularVocabSize: number) {
    const specials = new Map<string, number>();
    for (const token of [enc.HarmonyStartOfText, enc.EndOfText, enc.HarmonyReturn, enc.HarmonyConstrain, enc.HarmonyChannel,
      enc.HarmonyStart, enc.HarmonyEnd, enc.HarmonyMessage, enc.HarmonyCall, enc.EndOfPrompt]) {
      specials.set(token, enc.encode(token, { allowedSpecial: new Set([token]) })[0]!);
    }
    this.specialTokens = specials;
    this.specialIds = new Map([...specials].map(([t, id]) => [id, t]));
    this.vocabSize = enc.vocabularySize;
    const core = (enc.default as unknown as { bytePairEncodingCoreProcessor?: BpeCore }).bytePairEncodingCoreProcessor;
    if (typeof core?.decodeNativeGenerator !== 'function') throw new Error('unsupported gpt-tokenizer version: no byte-level decoder');
    this.core = core;
  }

  /** Loads the encoding's rank table (bundled in the package); ids at or above regularVocabSize are special or reserved. */
  static async load(encoding: 'o200k_harmony', regularVocabSize: number): Promise<GptTokenizerBackend> {
    const enc = await import(`gpt-tokenizer/encoding/${encoding}`) as Encoding;
    return new GptTokenizerBackend(enc, regularVocabSize);
  }

  encodeTexts(texts: readonly string[]): Promise<number[][]> {
    return Promise.resolve(texts.map((t) => this.enc.encode(t, GptTokenizerBackend.noSpecials)));
  }

  /**
   * Reserved ids (<|reserved_N|>) count as special. Decoding concatenates the tokens' bytes and
   * decodes them once with a fresh, non-streaming UTF-8 decoder. gpt-tokenizer's own `decode`
   * is not used: it feeds a module-wide TextDecoder in streaming mode and never flushes it, so an
   * incomplete character at the end of one call leaks into the next call's output.
   */
  decode(ids: readonly number[], skipSpecialTokens: boolean): string {
    const keep = skipSpecialTokens ? ids.filter((id) => id < this.regularVocabSize && !this.specialIds.has(id)) : ids;
    const parts: Uint8Array[] = [];
    let allText = true;
    for (const part of this.core.decodeNativeGenerator(keep)) {
      if (typeof part === 'string') parts.push(utf8.encode(part));
      else {
        parts.push(part);
        allText = false;
      }
    }
    if (allText) return parts.map((p) => textDecoder.decode(p)).join('');
    return textDecoder.decode(Buffer.concat(parts));
  }
}

/** The internals of gpt-tokenizer used for byte-exact decoding (present in v4; checked at load). */
interface BpeCore {
  decodeNativeGenerator(ids: Iterable<number>): Generator<string | Uint8Array>;
}

const utf8 = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: false });
