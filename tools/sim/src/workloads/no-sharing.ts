import { Rng } from '../rng.js';
import { EMPTY_CHAIN, extendChainRandom, openLoopWorkload, type SimRequest, type Workload, type WorkloadOptions } from './types.js';

/**
 * Every prompt unique (512..4096 tokens), Poisson arrivals: nothing to gain from the cache, so
 * every policy should tie and cache-aware must not lose to least-load here.
 */
export function noSharingWorkload(o: WorkloadOptions): Workload {
  return openLoopWorkload('no-sharing', function* () {
    const rng = new Rng(o.seed);
    let t = 0;
    for (let id = 0; id < o.requests; id++) {
      t += rng.exp(1000 / o.rate);
      const chain = extendChainRandom(EMPTY_CHAIN, rng, rng.int(512, 4096));
      yield { id, arrivalMs: t, tenantId: `t-${id % 8}`, promptTokens: chain.tokens, blockHashes: chain.keys, lastBlockDigest: chain.lastDigest, maxTokens: rng.int(64, 256) } satisfies SimRequest;
    }
  });
}
