import type { Filter } from '../types.js';

/**
 * Keeps workers with a free slot (leases < max_num_seqs). This is the admission gate: a request
 * waits in the scheduler's fair queue rather than in an engine's FIFO, where fairness is lost.
 */
export const hasFreeSlotFilter: Filter = {
  name: 'has-free-slot',
  filter: (_request, candidates) => candidates.filter((c) => c.active < c.capacity),
};
