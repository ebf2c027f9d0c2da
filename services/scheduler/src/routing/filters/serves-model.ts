import type { Filter } from '../types.js';

/** Keeps workers that load the requested model. */
export const servesModelFilter: Filter = {
  name: 'serves-model',
  filter: (request, candidates) => candidates.filter((c) => c.models.includes(request.model)),
};
