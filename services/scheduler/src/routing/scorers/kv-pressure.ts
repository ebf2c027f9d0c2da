import { clampScore, type Scorer } from '../types.js';

/**
 * Free share of the worker's KV cache: 1 - usage. A worker near full KV preempts (recomputes)
 * sequences, so a new long prompt there costs more than its slot count suggests.
 */
export const kvPressureScorer: Scorer = {
  name: 'kv-pressure',
  needsMatches: false,
  score: (_request, candidate) => clampScore(1 - candidate.kvUsage),
};
