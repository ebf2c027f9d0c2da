import { blockDigest, digestKey, rootDigest } from '@infermesh/kv-blocks';
import { BLOCK_SIZE } from './block-pool.js';
import type { OutputTokens } from './output-tokens.js';

/** Why a sequence ended (mirrors common.v1 FinishReason). */
export type FinishReason = 'length' | 'cancelled';

/** Final accounting of one sequence. */
export interface SequenceResult {
  finishReason: FinishReason;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  preemptions: number;
}

/** How the engine reports a sequence's progress; callbacks run on the engine's step. */
export interface SequenceListener {
  /** Once, when the first prefill chunk is scheduled. */
  onStarted(cachedPromptTokens: number): void;
  /** The tokens one step produced (one per step in this engine). */
  onTokens(tokenIds: readonly number[]): void;
  /** Exactly once, last. */
  onFinished(result: SequenceResult): void;
}

/**
 * One request inside the engine. `tokens` is prompt followed by output so far; the first
 * `computed` of them have KV in the blocks of `blocks` (block i holds tokens 16i..16i+15). Block
 * keys are extended lazily over every full block of known tokens, continuing the prompt's chain
 * through the output, so output blocks are cacheable too.
 */
export class Sequence {
  readonly tokens: number[];
  readonly promptLength: number;
  blocks: number[] = [];
  computed = 0;
  /** Leading blocks already committed to the cache (or found there). */
  committed = 0;
  started = false;
  cachedPromptTokens = 0;
  preemptions = 0;
  aborted = false;
  private readonly keys: bigint[] = [];
  private readonly digests: Buffer[] = [];

  constructor(
    readonly id: number,
    readonly modelIdx: number,
    readonly cacheSalt: string,
    prompt: readonly number[],
    readonly maxTokens: number,
    readonly output: OutputTokens,
    readonly listener: SequenceListener,
  ) {
    this.tokens = [...prompt];
    this.promptLength = prompt.length;
  }

  get completionTokens(): number {
    return this.tokens.length - this.promptLength;
  }

  /** The chain key of full block `b` (which must be full of known tokens). */
  key(b: number): bigint {
    while (this.keys.length <= b) {
      const i = this.keys.length;
      if ((i + 1) * BLOCK_SIZE > this.tokens.length) throw new RangeError(`block ${i} is not full`);
      const parent = i === 0 ? rootDigest(this.cacheSalt) : this.digests[i - 1]!;
      const d = blockDigest(parent, this.tokens, i * BLOCK_SIZE, BLOCK_SIZE);
      this.digests.push(d);
      this.keys.push(digestKey(d));
    }
    return this.keys[b]!;
  }

  /** Blocks needed to hold the KV of the first `tokens` tokens. */
  static blocksFor(tokens: number): number {
    return Math.ceil(tokens / BLOCK_SIZE);
  }
}
