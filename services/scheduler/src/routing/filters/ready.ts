import type { Filter } from '../types.js';

/** Keeps READY workers: STARTING ones cannot serve yet and DRAINING ones must not take new work. */
export const readyFilter: Filter = {
  name: 'ready',
  filter: (_request, candidates) => candidates.filter((c) => c.ready),
};
