import { Rng, Zipf } from '../rng.js';
import { EMPTY_CHAIN, extendChainRandom, openLoopWorkload, type PromptChain, type SimRequest, type Workload, type WorkloadOptions } from './types.js';

/** Shape of the shared-prefix workload; defaults in `defaultSharedPrefixShape`. */
export interface SharedPrefixShape {
  /** Distinct system prompts (applications). */
  systemPrompts: number;
  /** Tokens of each system prompt. */
  systemTokens: number;
  /** Zipf exponent of system-prompt popularity (0: uniform). */
  zipf: number;
  questionTokens: [number, number];
  outputTokens: [number, number];
}

/**
 * 64 applications, each with its own 8K-token system prompt, Zipf(0.6) popular: 512K tokens of
 * distinct prefixes, 1.3 times what one H100 caches for Llama-3.1-8B and a sixth of what eight
 * hold together. That is the regime where routing decides the hit rate: a cache-blind router
 * makes every worker cache every prompt (and thrash); a cache-aware one partitions them. (With
 * a handful of prompts every worker caches all of them and routing hardly matters; with far more
 * than the fleet holds nothing helps.)
 */
export function defaultSharedPrefixShape(): SharedPrefixShape {
  return { systemPrompts: 64, systemTokens: 8192, zipf: 0.6, questionTokens: [32, 256], outputTokens: [32, 256] };
}

/** Long shared system prompts with short questions, Poisson arrivals. */
export function sharedPrefixWorkload(o: WorkloadOptions, shape: SharedPrefixShape = defaultSharedPrefixShape()): Workload {
  return openLoopWorkload('shared-prefix', function* () {
    const rng = new Rng(o.seed);
    const zipf = new Zipf(shape.systemPrompts, shape.zipf);
    const prefixes = new Map<number, PromptChain>();
    let t = 0;
    for (let id = 0; id < o.requests; id++) {
      t += rng.exp(1000 / o.rate);
      const app = zipf.sample(rng);
      let prefix = prefixes.get(app);
      if (prefix === undefined) {
        prefix = extendChainRandom(EMPTY_CHAIN, new Rng(o.seed * 7919 + app + 1), shape.systemTokens);
        prefixes.set(app, prefix);
      }
      const chain = extendChainRandom(prefix, rng, rng.int(...shape.questionTokens));
      yield {
        id,
        arrivalMs: t,
        tenantId: `app-${app % 16}`,
        promptTokens: chain.tokens,
        blockHashes: chain.keys,
        lastBlockDigest: chain.lastDigest,
        maxTokens: rng.int(...shape.outputTokens),
      } satisfies SimRequest;
    }
  });
}
