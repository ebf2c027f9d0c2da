import { MeshError, Code, invalidArgument, notFound } from '@infermesh/errors';
import type { TokenizerBackend } from './backend.js';
import { HfTokenizersBackend } from './backends/hf-tokenizers.js';
import { GptTokenizerBackend } from './backends/gpt-tokenizer.js';
import { indexCatalogue, type Catalogue, type ModelEntry } from './catalogue.js';
import type { ChatFormatter } from './chat/chat.js';
import { ChatMlFormatter } from './chat/chatml-formatter.js';
import { HarmonyChatFormatter } from './chat/harmony-formatter.js';
import { JinjaChatFormatter } from './chat/jinja-formatter.js';
import { SpecialSplitter } from './chat/special-splitter.js';

/** A catalogue model with its tokenizer loaded: what the service needs to serve it. */
export interface LoadedModel {
  readonly entry: ModelEntry;
  readonly backend: TokenizerBackend;
  readonly chat: ChatFormatter;
  /** Time the load took, ms (for startup logs). */
  readonly loadMs: number;
}

/**
 * The served models and their tokenizers. Each tokenizer is loaded on first use (or by
 * `warmup`), once: concurrent callers share one load, and the result is cached for the life of
 * the process. A failed load is not cached (the next call retries) and surfaces as UNAVAILABLE.
 */
export class TokenizerRegistry {
  private readonly entries: Map<string, ModelEntry>;
  private readonly loads = new Map<string, Promise<LoadedModel>>();

  /**
   * Throws INVALID_ARGUMENT for an invalid catalogue. `hfEncoder`: how Hugging Face tokenizers
   * encode, 'js' (default: the pure-JS encoders where the file allows) or 'native' (the binding).
   * `pieceCacheSize`: merged pieces each pure-JS encoder caches per generation (default 50,000;
   * 0 disables the caches, e.g. to measure text never seen).
   */
  constructor(catalogue: Catalogue, private readonly options: { hfEncoder?: HfEncoder; pieceCacheSize?: number } = {}) {
    this.entries = indexCatalogue(catalogue);
  }

  /** All catalogue entries, in catalogue order. */
  list(): ModelEntry[] {
    return [...this.entries.values()];
  }

  /** The entry of a model: INVALID_ARGUMENT for an empty name, NOT_FOUND for an unknown one. */
  entry(model: string): ModelEntry {
    if (model === '') throw invalidArgument('model is required', 'model');
    const entry = this.entries.get(model);
    if (entry === undefined) throw notFound(`model ${JSON.stringify(model.slice(0, 100))} is not served`);
    return entry;
  }

  /** The loaded model (loading it if needed). Errors as `entry`, plus UNAVAILABLE when loading fails. */
  get(model: string): Promise<LoadedModel> {
    const entry = this.entry(model);
    let load = this.loads.get(entry.id);
    if (load === undefined) {
      load = loadModel(entry, this.options.hfEncoder ?? 'js', this.options.pieceCacheSize ?? DEFAULT_PIECE_CACHE).catch((err: unknown) => {
        this.loads.delete(entry.id);
        throw new MeshError(Code.Unavailable, `tokenizer of ${entry.id} failed to load`, { cause: err });
      });
      this.loads.set(entry.id, load);
    }
    return load;
  }

  /** Loads every model now, one after another (they are CPU-bound); resolves with each load time. */
  async warmup(): Promise<{ model: string; loadMs: number }[]> {
    const out: { model: string; loadMs: number }[] = [];
    for (const entry of this.entries.values()) out.push({ model: entry.id, loadMs: (await this.get(entry.id)).loadMs });
    return out;
  }
}

/** Which encoder Hugging Face tokenizer.json models use (see TokenizerRegistry). */
export type HfEncoder = 'js' | 'native';

/** Default pieces per piece-cache generation (see bpe/piece-cache.ts). */
export const DEFAULT_PIECE_CACHE = 50_000;

async function loadModel(entry: ModelEntry, hfEncoder: HfEncoder, pieceCacheSize: number): Promise<LoadedModel> {
  const started = performance.now();
  let backend: TokenizerBackend;
  let chatTemplate: string | undefined;
  if (entry.source.kind === 'hf') {
    const loaded = await HfTokenizersBackend.load(entry.source.package, entry.source.tokenizerFile, entry.source.configFile, { pureJs: hfEncoder === 'js', pieceCacheSize });
    backend = loaded.backend;
    chatTemplate = loaded.config.chatTemplate;
  } else {
    backend = await GptTokenizerBackend.load(entry.source.encoding, entry.regularVocabSize, pieceCacheSize);
  }
  for (const t of [entry.bosToken, entry.eosToken]) {
    if (t !== undefined && !backend.specialTokens.has(t)) throw new Error(`${entry.id}: ${t} is not a special token of its tokenizer`);
  }
  let chat: ChatFormatter;
  if (entry.chat.kind === 'harmony') {
    chat = new HarmonyChatFormatter(entry.chat.systemHeader);
  } else if (entry.chat.kind === 'chatml') {
    chat = new ChatMlFormatter();
  } else {
    if (chatTemplate === undefined) throw new Error(`${entry.id}: tokenizer_config.json has no chat_template`);
    chat = new JinjaChatFormatter(chatTemplate, new SpecialSplitter(backend.specialTokens.keys()), {
      bosToken: entry.bosToken ?? '',
      eosToken: entry.eosToken ?? '',
    });
  }
  return { entry, backend, chat, loadMs: performance.now() - started };
}
