import { blockKeys } from '@infermesh/kv-blocks';
import { invalidArgument, MeshError } from '@infermesh/errors';
import { encodeSegments, type Segment } from './backend.js';
import type { ModelEntry } from './catalogue.js';
import type { ChatInput } from './chat/chat.js';
import { IncrementalDetokenizer } from './incremental-detokenizer.js';
import type { LoadedModel, TokenizerRegistry } from './registry.js';
import { StopMatcher } from './stop-matcher.js';

/** Most prompts one TokenizeBatch call may carry. */
export const MAX_BATCH = 256;

export interface TokenizeInput {
  model: string;
  /** Raw text (the model's default BOS is prepended) or a chat rendered by the model's format. */
  input: { text: string } | { chat: ChatInput };
  /** Return one 64-bit key per full block, salted (see @infermesh/kv-blocks). */
  withBlockHashes?: boolean;
  cacheSalt?: string;
  /** Output tokens the prompt must leave room for within the context; 0 by default. */
  reserveTokens?: number;
}

/** One TokenizeBatch item: the result, or the MeshError that Tokenize would have thrown. */
export type BatchItem = { ok: true; result: TokenizeResult } | { ok: false; error: MeshError };

/** Token count of a prompt and whether it leaves room for the reserve within the context. */
export interface CountResult {
  tokenCount: number;
  contextLength: number;
  fitsContext: boolean;
}

/** What one push into a stream produced. */
export interface StreamStep {
  text: string;
  /** Set when a stop string completed; the session is finished then. */
  matchedStop?: string;
}

export interface TokenizeResult {
  tokenIds: number[];
  /** Empty unless asked for. */
  blockHashes: bigint[];
  blockSize: number;
  contextLength: number;
}

/**
 * The tokenizer's use cases, free of any transport. Every failure is a MeshError:
 * INVALID_ARGUMENT (empty model, template error, prompt over the context, id outside the
 * vocabulary), NOT_FOUND (unknown model), UNAVAILABLE (tokenizer failed to load).
 */
export class TokenizerService {
  constructor(readonly registry: TokenizerRegistry) {}

  async tokenize(req: TokenizeInput): Promise<TokenizeResult> {
    const { entry, tokenIds } = await this.encode(req);
    checkContext(entry, tokenIds.length, req.reserveTokens ?? 0);
    const blockHashes = req.withBlockHashes === true ? blockKeys(tokenIds, entry.blockSize, req.cacheSalt ?? '') : [];
    return { tokenIds, blockHashes, blockSize: entry.blockSize, contextLength: entry.contextLength };
  }

  /**
   * Tokenizes each input on its own; one item's failure does not fail the others. INVALID_ARGUMENT
   * (thrown) for an empty batch or one over MAX_BATCH.
   */
  async tokenizeBatch(reqs: readonly TokenizeInput[]): Promise<BatchItem[]> {
    if (reqs.length === 0 || reqs.length > MAX_BATCH) throw invalidArgument(`a batch holds 1..${MAX_BATCH} requests, got ${reqs.length}`, 'requests');
    return Promise.all(reqs.map(async (req): Promise<BatchItem> => {
      try {
        return { ok: true, result: await this.tokenize(req) };
      } catch (err) {
        return { ok: false, error: MeshError.from(err) };
      }
    }));
  }

  /** The prompt's token count as `tokenize` would produce it; never rejects for length. */
  async count(req: Omit<TokenizeInput, 'withBlockHashes' | 'cacheSalt'>): Promise<CountResult> {
    const { entry, tokenIds } = await this.encode(req);
    const fitsContext = tokenIds.length + (req.reserveTokens ?? 0) <= entry.contextLength;
    return { tokenCount: tokenIds.length, contextLength: entry.contextLength, fitsContext };
  }

  private async encode(req: Pick<TokenizeInput, 'model' | 'input'>): Promise<{ entry: ModelEntry; tokenIds: number[] }> {
    const model = await this.registry.get(req.model);
    const { entry, backend } = model;
    const segments: Segment[] = 'text' in req.input
      ? [...(entry.bosToken === undefined ? [] : [{ kind: 'special', token: entry.bosToken } as const]), { kind: 'text', text: req.input.text }]
      : model.chat.render(req.input.chat);
    return { entry, tokenIds: await encodeSegments(backend, segments) };
  }

  async detokenize(modelId: string, ids: readonly number[], skipSpecialTokens: boolean): Promise<string> {
    const model = await this.registry.get(modelId);
    checkIds(model, ids);
    return model.backend.decode(ids, skipSpecialTokens);
  }

  /**
   * A streaming detokenizer for one generation; ids pushed into it are range-checked.
   * INVALID_ARGUMENT for bad stop strings (see StopMatcher).
   */
  async openStream(modelId: string, skipSpecialTokens: boolean, stops: readonly string[] = []): Promise<DetokenizeSession> {
    const model = await this.registry.get(modelId);
    return new DetokenizeSession(model, skipSpecialTokens, stops);
  }

  /** The catalogue as served. */
  listModels(): ModelEntry[] {
    return this.registry.list();
  }
}

/**
 * One stream's detokenizer bound to its model, with optional stop strings. With stops, ids are
 * consumed one at a time so that the session stops exactly at the id that completed a stop:
 * `tokenCount` then counts the ids up to and including it, and later ids are not consumed.
 */
export class DetokenizeSession {
  private readonly detok: IncrementalDetokenizer;
  private readonly stops: StopMatcher;
  private stopped = false;

  constructor(private readonly model: LoadedModel, skipSpecialTokens: boolean, stops: readonly string[] = []) {
    this.stops = new StopMatcher(stops);
    this.detok = new IncrementalDetokenizer((ids, skip) => model.backend.decode(ids, skip), skipSpecialTokens);
  }

  /** True once a stop string matched (no more ids are accepted). */
  get finished(): boolean {
    return this.stopped;
  }

  get modelId(): string {
    return this.model.entry.id;
  }

  get tokenCount(): number {
    return this.detok.tokenCount;
  }

  /** INVALID_ARGUMENT for an id outside the vocabulary (nothing is consumed then). After a stop, ids are ignored and '' returned. */
  push(ids: readonly number[]): StreamStep {
    checkIds(this.model, ids);
    if (this.stopped) return { text: '' };
    if (!this.stops.active) return { text: this.detok.push(ids) };
    let text = '';
    for (const id of ids) {
      const step = this.stops.push(this.detok.push([id]));
      text += step.text;
      if (step.matched !== undefined) {
        this.stopped = true;
        return { text, matchedStop: step.matched };
      }
    }
    return { text };
  }

  /** Ends the stream: the held-back text (a stop may still complete in it). */
  flush(): StreamStep {
    if (this.stopped) return { text: '' };
    const step = this.stops.push(this.detok.flush());
    if (step.matched !== undefined) {
      this.stopped = true;
      return step;
    }
    return { text: step.text + this.stops.flush() };
  }
}

function checkContext(entry: ModelEntry, promptTokens: number, reserve: number): void {
  if (promptTokens + reserve <= entry.contextLength) return;
  const reserved = reserve > 0 ? `; with ${reserve} reserved for output it` : '; it';
  throw invalidArgument(`prompt is ${promptTokens} tokens${reserved} exceeds the model's context of ${entry.contextLength} tokens`, 'prompt');
}

function checkIds(model: LoadedModel, ids: readonly number[]): void {
  const size = model.backend.vocabSize;
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= size) {
      throw invalidArgument(`token id ${id} is outside the vocabulary of ${model.entry.id} (${size} ids)`, 'token_ids');
    }
  }
}
