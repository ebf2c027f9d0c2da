import { baseFilters, type RoutingPolicy } from '../types.js';

/**
 * Prefix overlap from the kv-directory, plus load, plus KV pressure. See README.md in this folder
 * for why the weights are what they are (measured with tools/sim, docs/benchmarks/routing.md).
 */
export const cacheAwarePolicy: RoutingPolicy = {
  name: 'cache-aware',
  description: 'prefix overlap (kv-directory) + load + KV pressure',
  matchSource: 'directory',
  config: () => ({ filters: baseFilters(), weights: cacheAwareWeights(), picker: 'max-score' }),
};

/** The cache-aware weights, shared with the oracle so the two differ only in what they know. */
export function cacheAwareWeights(): Record<string, number> {
  return { 'prefix-overlap': 2, load: 1, 'kv-pressure': 0.5 };
}
