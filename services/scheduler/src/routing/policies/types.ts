import type { RouterConfig } from '../register.js';

/**
 * Where a policy's per-worker cached-prefix answers come from:
 * - `directory`: the kv-directory, built from the engines' KV events (what production has);
 * - `oracle`: the engines' true caches at decision time (only a simulator can offer this);
 * - `none`: no lookup at all; match-based scorers must not be configured.
 */
export type MatchSource = 'directory' | 'oracle' | 'none';

/**
 * A named routing policy: a router configuration (filters, weighted scorers, picker) plus the
 * source of cache knowledge it assumes. Policies are presets, not code paths: the Router and the
 * Scheduler are the same for every one of them, which is what makes them comparable.
 */
export interface RoutingPolicy {
  readonly name: string;
  /** One line for reports and `--help`. */
  readonly description: string;
  readonly matchSource: MatchSource;
  /** A fresh configuration (callers may override weights or the seed). */
  config(): RouterConfig;
}

/** The admission filters every policy shares: the model, readiness, and a free slot (the gate). */
export function baseFilters(): string[] {
  return ['serves-model', 'ready', 'has-free-slot'];
}
