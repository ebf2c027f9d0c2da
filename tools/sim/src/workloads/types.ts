import { BLOCK_SIZE } from '@infermesh/worker-supervisor';
import { binaryDigestKey, blockDigestBinary, rootDigestBinary } from '@infermesh/kv-blocks';

/** One request of a simulated workload: what an ingress would hand the scheduler and an engine. */
export interface SimRequest {
  /** Unique within a run; also the engine's sampling seed. */
  readonly id: number;
  /** Virtual ms from the start of the run. */
  readonly arrivalMs: number;
  readonly tenantId: string;
  readonly promptTokens: readonly number[];
  /** 64-bit keys of every full 16-token block of the prompt (tokenizer.v1 scheme, salt ""). */
  readonly blockHashes: readonly bigint[];
  /**
   * Digest of the last full prompt block (kv-blocks binary string; undefined for a prompt under one
   * block): handed to the engine with `blockHashes` so that it need not hash the prompt again.
   */
  readonly lastBlockDigest: string | undefined;
  /** Output length, tokens (>= 1); the simulated engine generates exactly this many. */
  readonly maxTokens: number;
}

/**
 * A workload: requests arriving on their own schedule (open loop) and, optionally, requests that
 * follow a finished one (closed loop: the next turn of a chat comes after its answer). Requests
 * are produced lazily, one arrival ahead, so a run holds only the prompts in flight. The total
 * never exceeds the run's request budget; the simulator stops when every issued one finished.
 */
export interface Workload {
  readonly name: string;
  /** Open-loop requests in ascending arrival order; iterated once, lazily. */
  arrivals(): Iterable<SimRequest>;
  /** The request that follows `done` (finished at virtual `atMs`), if any. */
  onFinished?(done: SimRequest, atMs: number): SimRequest | undefined;
}

/** Options every workload understands. */
export interface WorkloadOptions {
  /** Mean arrival rate, requests/s (Poisson), or the trace's target mean rate. */
  rate: number;
  /** Requests in the run. */
  requests: number;
  seed: number;
}

/** The cache salt of every simulated request; engines and the directory must agree on it. */
export const SIM_CACHE_SALT = '';

/** Vocabulary the synthetic prompts draw from (Llama-3 regular tokens). */
export const SIM_VOCAB = 128_000;

/**
 * A prompt's block chain, extendable: a multi-turn history or a shared system prompt is hashed
 * once and continued, instead of re-hashing every prefix for every request (hashing dominates
 * the simulator's own cost for long prompts).
 */
export class BlockChainBuilder {
  constructor(
    readonly tokens: number[] = [],
    readonly keys: bigint[] = [],
    /** Digest of each full block, as kv-blocks binary strings. */
    readonly digests: string[] = [],
  ) {}

  /** Copies another builder (the shared prefix) so this one can diverge from it. */
  static from(base: BlockChainBuilder): BlockChainBuilder {
    return new BlockChainBuilder(base.tokens.slice(), base.keys.slice(), base.digests.slice());
  }

  /** Digest of the last full block, undefined before one is complete. */
  get lastDigest(): string | undefined {
    return this.digests.at(-1);
  }

  /** Appends tokens and hashes every block they complete. */
  append(tokens: readonly number[]): this {
    for (const t of tokens) this.tokens.push(t);
    const full = Math.floor(this.tokens.length / BLOCK_SIZE);
    for (let b = this.keys.length; b < full; b++) {
      const parent = b === 0 ? rootDigestBinary(SIM_CACHE_SALT) : this.digests[b - 1]!;
      const d = blockDigestBinary(parent, this.tokens, b * BLOCK_SIZE, BLOCK_SIZE);
      this.digests.push(d);
      this.keys.push(binaryDigestKey(d));
    }
    return this;
  }
}

/** `n` token ids drawn from the synthetic vocabulary. */
export function randomTokens(rng: { u32(): number }, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = rng.u32() % SIM_VOCAB;
  return out;
}
