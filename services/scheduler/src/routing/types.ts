/**
 * Routing as small plugins, after the llm-d inference scheduler: filters narrow the candidates,
 * scorers rate each survivor in [0,1], a weighted sum combines them, a picker chooses. Plugins
 * are pure functions of their inputs, so each is tested alone; `register.ts` names them for
 * configuration.
 */

/** One worker as routing sees it, already joined with the scheduler's lease count. */
export interface Candidate {
  readonly workerId: string;
  readonly address: string;
  readonly models: readonly string[];
  readonly ready: boolean;
  /** Leases the scheduler holds on the worker. */
  readonly active: number;
  /** Slot capacity (max_num_seqs). */
  readonly capacity: number;
  /** Sequences waiting inside the engine, from its last load report (0 if none yet). */
  readonly waiting: number;
  /** KV-cache usage 0..1 from the last load report (0 if none yet). */
  readonly kvUsage: number;
}

export interface RoutingRequest {
  readonly model: string;
  /** Number of prompt blocks hashed (the length of the block-hash list). */
  readonly promptBlocks: number;
  /**
   * Blocks each worker holds as a prefix, from the KV directory; undefined when the directory
   * was unavailable (load-only mode). A worker missing from the map holds none.
   */
  readonly matches: ReadonlyMap<string, number> | undefined;
}

export interface Filter {
  readonly name: string;
  /** Returns the candidates that may take the request; must not reorder or invent candidates. */
  filter(request: RoutingRequest, candidates: readonly Candidate[]): Candidate[];
}

export interface Scorer {
  readonly name: string;
  /** True when the score depends on the KV directory's answer: such scorers sit out in load-only mode. */
  readonly needsMatches: boolean;
  /** A score in [0,1]; higher is better. */
  score(request: RoutingRequest, candidate: Candidate): number;
}

export interface ScoredCandidate {
  readonly candidate: Candidate;
  /** Weighted sum of the active scorers. */
  readonly score: number;
}

export interface Picker {
  readonly name: string;
  /** Chooses one of the scored candidates (never empty when called). */
  pick(scored: readonly ScoredCandidate[]): ScoredCandidate;
}

/** Fraction of a worker's slots in use, 0..1 (1 when capacity is 0). */
export function utilisation(c: Candidate): number {
  return c.capacity > 0 ? Math.min(1, c.active / c.capacity) : 1;
}

/** Clamps a score into [0,1], mapping NaN to 0, so one bad input cannot dominate the sum. */
export function clampScore(x: number): number {
  return Number.isNaN(x) ? 0 : Math.min(1, Math.max(0, x));
}
