import { clampScore, type Scorer } from '../types.js';

/**
 * Fraction of the prompt's blocks the worker already caches as a prefix: matched / prompt blocks.
 * Each matched block is prefill the worker skips, so this is the expected saving in prompt work.
 */
export const prefixOverlapScorer: Scorer = {
  name: 'prefix-overlap',
  needsMatches: true,
  score: (request, candidate) => {
    if (request.promptBlocks === 0 || request.matches === undefined) return 0;
    return clampScore((request.matches.get(candidate.workerId) ?? 0) / request.promptBlocks);
  },
};
