import { baseFilters, type RoutingPolicy } from '../types.js';

/**
 * Fewest active leases relative to capacity, KV pressure as a small tie-breaker: the best a router
 * can do without knowing where prompts are cached (the "load-only" baseline of the issue).
 */
export const leastLoadPolicy: RoutingPolicy = {
  name: 'least-load',
  description: 'lowest slot utilisation, KV pressure as tie-breaker; cache-blind',
  matchSource: 'none',
  config: () => ({ filters: baseFilters(), weights: { load: 1, 'kv-pressure': 0.1 }, picker: 'max-score' }),
};
