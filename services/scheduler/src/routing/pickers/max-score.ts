import { utilisation, type Picker, type ScoredCandidate } from '../types.js';

/** Scores closer than this are ties: float noise must not decide routing. */
const EPSILON = 1e-9;

/**
 * Highest weighted score wins; ties go to the least utilised worker, then to the lowest worker
 * id, so the choice is deterministic for a given state.
 */
export const maxScorePicker: Picker = {
  name: 'max-score',
  pick: (scored) => {
    let best = scored[0]!;
    for (let i = 1; i < scored.length; i++) if (better(scored[i]!, best)) best = scored[i]!;
    return best;
  },
};

function better(a: ScoredCandidate, b: ScoredCandidate): boolean {
  if (Math.abs(a.score - b.score) > EPSILON) return a.score > b.score;
  const ua = utilisation(a.candidate);
  const ub = utilisation(b.candidate);
  if (Math.abs(ua - ub) > EPSILON) return ua < ub;
  return a.candidate.workerId < b.candidate.workerId;
}
