import { invalidArgument } from '@infermesh/errors';
import { hasFreeSlotFilter } from './filters/has-free-slot.js';
import { readyFilter } from './filters/ready.js';
import { servesModelFilter } from './filters/serves-model.js';
import { maxScorePicker } from './pickers/max-score.js';
import { randomPicker } from './pickers/random.js';
import { roundRobinPicker } from './pickers/round-robin.js';
import { Router } from './router.js';
import { kvPressureScorer } from './scorers/kv-pressure.js';
import { loadScorer } from './scorers/load.js';
import { prefixOverlapScorer } from './scorers/prefix-overlap.js';
import type { Filter, Picker, Scorer } from './types.js';

/** Every routing plugin, by the name configuration uses. Add a plugin here and it is configurable. */
export const filters: Readonly<Record<string, Filter>> = {
  [servesModelFilter.name]: servesModelFilter,
  [readyFilter.name]: readyFilter,
  [hasFreeSlotFilter.name]: hasFreeSlotFilter,
};
export const scorers: Readonly<Record<string, Scorer>> = {
  [prefixOverlapScorer.name]: prefixOverlapScorer,
  [loadScorer.name]: loadScorer,
  [kvPressureScorer.name]: kvPressureScorer,
};
/**
 * Pickers by name, as factories: stateful pickers (random, round-robin) get fresh state per
 * router. `seed` feeds the random picker (RouterConfig.seed, default 1).
 */
export const pickers: Readonly<Record<string, (seed: number) => Picker>> = {
  [maxScorePicker.name]: () => maxScorePicker,
  random: (seed) => randomPicker(seed),
  'round-robin': () => roundRobinPicker(),
};

export interface RouterConfig {
  /** Filter names, applied in order. */
  filters: string[];
  /** Scorer name -> weight (>= 0). A weight of 0 disables the scorer. */
  weights: Record<string, number>;
  picker: string;
  /** Seed of a randomised picker (default 1); ignored by the others. */
  seed?: number;
}

/**
 * Defaults: a full cached prefix is worth twice an idle worker, so cache hits win while the
 * has-free-slot filter keeps the cache-hot worker from being overloaded; KV pressure breaks
 * near-ties between equally loaded workers.
 */
export function defaultRouterConfig(): RouterConfig {
  return {
    filters: ['serves-model', 'ready', 'has-free-slot'],
    weights: { 'prefix-overlap': 2, load: 1, 'kv-pressure': 0.5 },
    picker: 'max-score',
  };
}

/** Builds a Router from names; INVALID_ARGUMENT for an unknown name or a bad weight. */
export function buildRouter(config: RouterConfig): Router {
  const fs = config.filters.map((name) => {
    const f = filters[name];
    if (f === undefined) throw invalidArgument(`unknown routing filter "${name}"`, 'filters');
    return f;
  });
  const ss = Object.entries(config.weights).map(([name, weight]) => {
    const scorer = scorers[name];
    if (scorer === undefined) throw invalidArgument(`unknown routing scorer "${name}"`, 'weights');
    if (!Number.isFinite(weight) || weight < 0) throw invalidArgument(`weight of "${name}" must be a finite number >= 0`, 'weights');
    return { scorer, weight };
  });
  const makePicker = pickers[config.picker];
  if (makePicker === undefined) throw invalidArgument(`unknown routing picker "${config.picker}"`, 'picker');
  return new Router(fs, ss.filter((s) => s.weight > 0), makePicker(config.seed ?? 1));
}
