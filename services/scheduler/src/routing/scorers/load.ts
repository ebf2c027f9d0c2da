import { clampScore, utilisation, type Scorer } from '../types.js';

/** Free share of the worker's slots: 1 - active / capacity. An idle worker scores 1. */
export const loadScorer: Scorer = {
  name: 'load',
  needsMatches: false,
  score: (_request, candidate) => clampScore(1 - utilisation(candidate)),
};
