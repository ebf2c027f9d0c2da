import { cacheAwareWeights } from '../cache-aware/index.js';
import { baseFilters, type RoutingPolicy } from '../types.js';

export { OracleMatcher, type TrueCacheProbe } from './oracle-matcher.js';

/**
 * The cache-aware scoring fed with every worker's true cache (an OracleMatcher) instead of the
 * directory: the yardstick. The gap between it and cache-aware is what the directory's view
 * (event lag, lost events) costs; the gap to least-load is what cache knowledge is worth.
 */
export const oraclePolicy: RoutingPolicy = {
  name: 'oracle',
  description: 'cache-aware scoring on the true caches (simulation only)',
  matchSource: 'oracle',
  config: () => ({ filters: baseFilters(), weights: cacheAwareWeights(), picker: 'max-score' }),
};
