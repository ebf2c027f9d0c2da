import { blockKeys } from '@infermesh/kv-blocks';
import { invalidArgument } from '@infermesh/errors';
import { encodeSegments, type Segment } from './backend.js';
import type { ModelEntry } from './catalogue.js';
import type { ChatInput } from './chat/chat.js';
import { IncrementalDetokenizer } from './incremental-detokenizer.js';
import type { LoadedModel, TokenizerRegistry } from './registry.js';

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
    const model = await this.registry.get(req.model);
    const { entry, backend } = model;
    const segments: Segment[] = 'text' in req.input
      ? [...(entry.bosToken === undefined ? [] : [{ kind: 'special', token: entry.bosToken } as const]), { kind: 'text', text: req.input.text }]
      : model.chat.render(req.input.chat);
    const tokenIds = await encodeSegments(backend, segments);
    checkContext(entry, tokenIds.length, req.reserveTokens ?? 0);
    const blockHashes = req.withBlockHashes === true ? blockKeys(tokenIds, entry.blockSize, req.cacheSalt ?? '') : [];
    return { tokenIds, blockHashes, blockSize: entry.blockSize, contextLength: entry.contextLength };
  }

  async detokenize(modelId: string, ids: readonly number[], skipSpecialTokens: boolean): Promise<string> {
    const model = await this.registry.get(modelId);
    checkIds(model, ids);
    return model.backend.decode(ids, skipSpecialTokens);
  }

  /** A streaming detokenizer for one generation; ids pushed into it are range-checked. */
  async openStream(modelId: string, skipSpecialTokens: boolean): Promise<DetokenizeSession> {
    const model = await this.registry.get(modelId);
    return new DetokenizeSession(model, skipSpecialTokens);
  }

  /** The catalogue as served. */
  listModels(): ModelEntry[] {
    return this.registry.list();
  }
}

/** One stream's detokenizer bound to its model. */
export class DetokenizeSession {
  private readonly detok: IncrementalDetokenizer;

  constructor(private readonly model: LoadedModel, skipSpecialTokens: boolean) {
    this.detok = new IncrementalDetokenizer((ids, skip) => model.backend.decode(ids, skip), skipSpecialTokens);
  }

  get modelId(): string {
    return this.model.entry.id;
  }

  get tokenCount(): number {
    return this.detok.tokenCount;
  }

  /** INVALID_ARGUMENT for an id outside the vocabulary (nothing is consumed then). */
  push(ids: readonly number[]): string {
    checkIds(this.model, ids);
    return this.detok.push(ids);
  }

  flush(): string {
    return this.detok.flush();
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
