import { BLOCK_SIZE } from '@infermesh/worker-supervisor';
import { binaryDigestKey, blockDigestBinary, rootDigestBinary } from '@infermesh/kv-blocks';
import type { Rng } from '../rng.js';
import { simBlockDigest, simDigestKey } from './chain-hash.js';
import { tokenArray } from './token-arena.js';

export { tokenArray, releaseTokens } from './token-arena.js';

/** One request of a simulated workload: what an ingress would hand the scheduler and an engine. */
export interface SimRequest {
  /** Unique within a run; also the engine's sampling seed. */
  readonly id: number;
  /** Virtual ms from the start of the run. */
  readonly arrivalMs: number;
  readonly tenantId: string;
  /**
   * Token ids, in a typed array: long prompts stay off the JavaScript heap (the garbage collector
   * never copies them). The simulator hands it back to the token arena (`releaseTokens`) when the
   * request ends, after the workload's `onFinished`: a workload never uses it after that and never
   * gives one array to two requests.
   */
  readonly promptTokens: Uint32Array;
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
  /**
   * Input preparation, like reading a trace: draws and hashes now whatever the run will ask for
   * and does not depend on the run (an open-loop workload: all of its arrivals), so that the
   * simulation clock measures the simulation alone. Optional and idempotent; a run gives the same
   * metrics with or without it. Prepared prompts are all alive at once (~50 MB for 1,500
   * shared-prefix requests) instead of one arrival ahead.
   */
  prepare?(): void;
}

/**
 * An open-loop workload from its arrivals' generator: `prepare` runs the generator to the end
 * and keeps the requests (their prompts, block keys and arrival times depend only on the seed),
 * and `arrivals` then hands out those; without `prepare` they are generated lazily.
 */
export function openLoopWorkload(name: string, generate: () => Iterable<SimRequest>): Workload {
  let prepared: SimRequest[] | undefined;
  return {
    name,
    arrivals: () => {
      const list = prepared;
      prepared = undefined;
      return list ?? generate();
    },
    prepare: () => {
      prepared ??= [...generate()];
    },
  };
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
    /** Digest of the last full block (kv-blocks binary string), undefined before one is complete. */
    private last: string | undefined = undefined,
  ) {}

  /** Copies another builder (the shared prefix) so this one can diverge from it. */
  static from(base: BlockChainBuilder): BlockChainBuilder {
    return new BlockChainBuilder(base.tokens.slice(), base.keys.slice(), base.last);
  }

  /** Digest of the last full block, undefined before one is complete. */
  get lastDigest(): string | undefined {
    return this.last;
  }

  /** Appends tokens and hashes every block they complete. */
  append(tokens: readonly number[]): this {
    for (const t of tokens) this.tokens.push(t);
    const full = Math.floor(this.tokens.length / BLOCK_SIZE);
    for (let b = this.keys.length; b < full; b++) {
      const d = blockDigestBinary(this.last ?? rootDigestBinary(SIM_CACHE_SALT), this.tokens, b * BLOCK_SIZE, BLOCK_SIZE);
      this.last = d;
      this.keys.push(binaryDigestKey(d));
    }
    return this;
  }
}

/** A prompt with its block chain, as a request carries it. */
export interface PromptChain {
  readonly tokens: Uint32Array;
  /** 64-bit key of every full block. */
  readonly keys: readonly bigint[];
  /** Digest of the last full block (kv-blocks binary string), undefined before one is complete. */
  readonly lastDigest: string | undefined;
}

/** The chain of the empty prompt. */
export const EMPTY_CHAIN: PromptChain = { tokens: new Uint32Array(0), keys: [], lastDigest: undefined };

/**
 * `base` followed by `tokens`, as a new chain: `base` is copied, never changed (a shared system
 * prompt is hashed once and extended by every request), and only the blocks that `tokens`
 * complete are hashed.
 */
export function extendChain(base: PromptChain, tokens: ArrayLike<number>): PromptChain {
  const all = tokenArray(base.tokens.length + tokens.length);
  all.set(base.tokens);
  all.set(tokens, base.tokens.length);
  return hashTail(base, all);
}

/**
 * `extendChain(base, randomTokens(rng, n))` without the intermediate array: the same tokens (the
 * same draws from `rng`, in the same order) written straight into the prompt.
 */
export function extendChainRandom(base: PromptChain, rng: Rng, n: number): PromptChain {
  const all = tokenArray(base.tokens.length + n);
  all.set(base.tokens);
  rng.fillMod(all, base.tokens.length, all.length, SIM_VOCAB);
  return hashTail(base, all);
}

/** The chain of `all`, whose leading blocks are `base`'s: only the blocks after them are hashed. */
function hashTail(base: PromptChain, all: Uint32Array): PromptChain {
  const keys = base.keys.slice();
  let last = base.lastDigest;
  const full = Math.floor(all.length / BLOCK_SIZE);
  for (let b = keys.length; b < full; b++) {
    last = simBlockDigest(last ?? rootDigestBinary(SIM_CACHE_SALT), all, b * BLOCK_SIZE);
    keys.push(simDigestKey(last));
  }
  return { tokens: all, keys, lastDigest: last };
}

/** `n` token ids drawn from the synthetic vocabulary. */
export function randomTokens(rng: { u32(): number }, n: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = rng.u32() % SIM_VOCAB;
  return out;
}
