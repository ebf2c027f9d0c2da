import type { Candidate, Filter, Picker, RoutingRequest, Scorer } from './types.js';

export interface WeightedScorer {
  readonly scorer: Scorer;
  /** Non-negative weight of this scorer in the sum. */
  readonly weight: number;
}

export type RoutingMode = 'cache-aware' | 'load-only';

export interface RouteDecision {
  readonly candidate: Candidate;
  readonly score: number;
  /** load-only when the request carried no directory answer: match-based scorers sat out. */
  readonly mode: RoutingMode;
}

/** Runs filters in order, scores survivors with the weighted scorers, and lets the picker choose. */
export class Router {
  constructor(
    private readonly filters: readonly Filter[],
    private readonly scorers: readonly WeightedScorer[],
    private readonly picker: Picker,
  ) {}

  /** undefined when no candidate survives the filters (the request must wait or fail). */
  route(request: RoutingRequest, candidates: readonly Candidate[]): RouteDecision | undefined {
    let survivors: readonly Candidate[] = candidates;
    for (const f of this.filters) {
      survivors = f.filter(request, survivors);
      if (survivors.length === 0) return undefined;
    }
    const mode: RoutingMode = request.matches === undefined ? 'load-only' : 'cache-aware';
    const active = this.scorers.filter((s) => mode === 'cache-aware' || !s.scorer.needsMatches);
    const scored = survivors.map((candidate) => {
      let score = 0;
      for (const { scorer, weight } of active) score += weight * scorer.score(request, candidate);
      return { candidate, score };
    });
    const chosen = this.picker.pick(scored);
    return { candidate: chosen.candidate, score: chosen.score, mode };
  }
}
