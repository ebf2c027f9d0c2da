import type { Picker } from '../types.js';

/**
 * Takes workers in turn by id: the next candidate after the one chosen last (wrapping), so a
 * worker that was filtered out (full) is skipped without disturbing the rotation of the others.
 * Scores are ignored. State is per picker instance.
 */
export function roundRobinPicker(): Picker {
  let last: string | undefined;
  return {
    name: 'round-robin',
    pick: (scored) => {
      let after: (typeof scored)[number] | undefined;
      let first = scored[0]!;
      for (const s of scored) {
        const id = s.candidate.workerId;
        if (id < first.candidate.workerId) first = s;
        if (last !== undefined && id > last && (after === undefined || id < after.candidate.workerId)) after = s;
      }
      const chosen = after ?? first;
      last = chosen.candidate.workerId;
      return chosen;
    },
  };
}
