import { binaryDigestKey, blockDigestBinary, rootDigestBinary } from '@infermesh/kv-blocks';
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
 * keys are extended lazily over every full block of known tokens (or start from the prompt chain
 * the caller hashed), continuing the prompt's chain through the output, so output blocks are
 * cacheable too. Only the last digest is kept: it is all the chain needs to continue.
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
  private readonly keys: bigint[];
  /** Digest of the last keyed block (the parent of the next); undefined before block 0. */
  private lastDigest: Uint8Array | string | undefined;

  constructor(
    readonly id: number,
    readonly modelIdx: number,
    readonly cacheSalt: string,
    prompt: readonly number[],
    readonly maxTokens: number,
    readonly output: OutputTokens,
    readonly listener: SequenceListener,
    promptChain?: { readonly keys: readonly bigint[]; readonly lastDigest: Uint8Array | string | undefined },
  ) {
    this.tokens = prompt.slice();
    this.promptLength = prompt.length;
    this.keys = promptChain === undefined ? [] : promptChain.keys.slice();
    this.lastDigest = promptChain?.lastDigest;
  }

  get completionTokens(): number {
    return this.tokens.length - this.promptLength;
  }

  /** The chain key of full block `b` (which must be full of known tokens). */
  key(b: number): bigint {
    while (this.keys.length <= b) {
      const i = this.keys.length;
      if ((i + 1) * BLOCK_SIZE > this.tokens.length) throw new RangeError(`block ${i} is not full`);
      const d = blockDigestBinary(this.lastDigest ?? rootDigestBinary(this.cacheSalt), this.tokens, i * BLOCK_SIZE, BLOCK_SIZE);
      this.lastDigest = d;
      this.keys.push(binaryDigestKey(d));
    }
    return this.keys[b]!;
  }

  /** Blocks needed to hold the KV of the first `tokens` tokens. */
  static blocksFor(tokens: number): number {
    return Math.ceil(tokens / BLOCK_SIZE);
  }
}
