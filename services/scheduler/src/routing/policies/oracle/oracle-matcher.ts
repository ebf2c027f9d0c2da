import type { KvMatcher, KvMatchQuery } from '../../../domain/ports.js';

/** One worker's true cache, asked directly (a simulated engine can answer; a remote one cannot). */
export interface TrueCacheProbe {
  readonly workerId: string;
  /**
   * How many of `blockHashes` the worker's cache holds for `model` consecutively from the first,
   * right now (0..blockHashes.length). Must be synchronous and side-effect free: asking must not
   * touch the cache's LRU order.
   */
  cachedPrefixBlocks(model: string, blockHashes: readonly bigint[]): number;
}

/**
 * A KvMatcher that answers from the engines' true caches instead of the kv-directory: no event
 * lag, no lost events. Used as the yardstick in simulations; it never fails. Workers in the query
 * without a probe, or holding nothing, are omitted (the port's contract: absent means 0).
 */
export class OracleMatcher implements KvMatcher {
  private readonly probes = new Map<string, TrueCacheProbe>();

  constructor(probes: readonly TrueCacheProbe[]) {
    for (const p of probes) this.probes.set(p.workerId, p);
  }

  match(query: KvMatchQuery): Promise<ReadonlyMap<string, number>> {
    const out = new Map<string, number>();
    for (const id of query.workerIds) {
      const n = this.probes.get(id)?.cachedPrefixBlocks(query.model, query.blockHashes) ?? 0;
      if (n > 0) out.set(id, n);
    }
    return Promise.resolve(out);
  }
}
