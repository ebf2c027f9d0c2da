import { baseFilters, type RoutingPolicy } from '../types.js';

/** Workers in turn by id, skipping full ones: what a plain L4/L7 balancer does. */
export const roundRobinPolicy: RoutingPolicy = {
  name: 'round-robin',
  description: 'workers in turn, skipping full ones',
  matchSource: 'none',
  config: () => ({ filters: baseFilters(), weights: {}, picker: 'round-robin' }),
};
