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

/** One block's tokens when it straddles the prompt's end (hashed at once, never kept). */
const straddle = new Array<number>(BLOCK_SIZE).fill(0);

/**
 * One request inside the engine. Its tokens are the prompt followed by `generated`; the first
 * `computed` of them have KV in the blocks of `blocks` (block i holds tokens 16i..16i+15). The
 * prompt and the caller's block chain are kept by reference, not copied (the engine never
 * changes them, and callers hand over arrays they no longer change). Block keys are extended
 * lazily over every full block of known tokens (or start from the prompt chain the caller
 * hashed), continuing the prompt's chain through the output, so output blocks are cacheable too.
 * Only the last digest is kept: it is all the chain needs to continue.
 */
export class Sequence {
  readonly prompt: ArrayLike<number>;
  readonly promptLength: number;
  /** Output tokens so far. */
  readonly generated: number[] = [];
  blocks: number[] = [];
  computed = 0;
  /** Leading blocks already committed to the cache (or found there). */
  committed = 0;
  started = false;
  cachedPromptTokens = 0;
  preemptions = 0;
  aborted = false;
  /** Keys of the caller's prompt chain (blocks 0 .. given-1). */
  private readonly givenKeys: readonly bigint[];
  /** Keys hashed here, of blocks given, given+1, ... */
  private readonly ownKeys: bigint[] = [];
  /** Digest of the last keyed block (the parent of the next); undefined before block 0. */
  private lastDigest: Uint8Array | string | undefined;

  constructor(
    readonly id: number,
    readonly modelIdx: number,
    readonly cacheSalt: string,
    prompt: ArrayLike<number>,
    readonly maxTokens: number,
    readonly output: OutputTokens,
    readonly listener: SequenceListener,
    promptChain?: { readonly keys: readonly bigint[]; readonly lastDigest: Uint8Array | string | undefined },
  ) {
    this.prompt = prompt;
    this.promptLength = prompt.length;
    this.givenKeys = promptChain === undefined ? [] : promptChain.keys;
    this.lastDigest = promptChain?.lastDigest;
  }

  /** Tokens known: prompt plus output so far. */
  get length(): number {
    return this.promptLength + this.generated.length;
  }

  get completionTokens(): number {
    return this.generated.length;
  }

  /** The chain key of full block `b` (which must be full of known tokens). */
  key(b: number): bigint {
    const given = this.givenKeys.length;
    if (b < given) return this.givenKeys[b]!;
    while (given + this.ownKeys.length <= b) {
      const i = given + this.ownKeys.length;
      const start = i * BLOCK_SIZE;
      if (start + BLOCK_SIZE > this.length) throw new RangeError(`block ${i} is not full`);
      let src: ArrayLike<number> = this.prompt;
      let from = start;
      if (start >= this.promptLength) {
        src = this.generated;
        from = start - this.promptLength;
      } else if (start + BLOCK_SIZE > this.promptLength) {
        for (let k = 0; k < BLOCK_SIZE; k++) straddle[k] = start + k < this.promptLength ? this.prompt[start + k]! : this.generated[start + k - this.promptLength]!;
        src = straddle;
        from = 0;
      }
      const d = blockDigestBinary(this.lastDigest ?? rootDigestBinary(this.cacheSalt), src, from, BLOCK_SIZE);
      this.lastDigest = d;
      this.ownKeys.push(binaryDigestKey(d));
    }
    return this.ownKeys[b - given]!;
  }

  /** Blocks needed to hold the KV of the first `tokens` tokens. */
  static blocksFor(tokens: number): number {
    return Math.ceil(tokens / BLOCK_SIZE);
  }
}
