import { baseFilters, type RoutingPolicy } from '../types.js';

/** Uniformly random among workers with a free slot: the floor every other policy must beat. */
export const randomPolicy: RoutingPolicy = {
  name: 'random',
  description: 'uniform choice among workers with a free slot',
  matchSource: 'none',
  config: () => ({ filters: baseFilters(), weights: {}, picker: 'random' }),
};
