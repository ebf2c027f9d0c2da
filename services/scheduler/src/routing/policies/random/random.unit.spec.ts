import { describe, expect, it } from '@jest/globals';
import { buildPolicy } from '../register.js';
import { cand, request } from '../test-fixtures.js';

describe('random policy', () => {
  const workers = [cand('w1'), cand('w2'), cand('w3', { active: 8 }), cand('w4')];

  it('picks only workers with a free slot, roughly uniformly', () => {
    const { router } = buildPolicy('random', { seed: 7 });
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const id = router.route(request({ w1: 10 }), workers)!.candidate.workerId;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(counts.has('w3')).toBe(false);
    for (const id of ['w1', 'w2', 'w4']) expect(counts.get(id)).toBeGreaterThan(850);
  });

  it('repeats its choices for the same seed and differs for another', () => {
    const run = (seed: number) => {
      const { router } = buildPolicy('random', { seed });
      return Array.from({ length: 32 }, () => router.route(request(), workers)!.candidate.workerId).join();
    };
    expect(run(3)).toBe(run(3));
    expect(run(3)).not.toBe(run(4));
  });
});
