import { describe, expect, it } from '@jest/globals';
import { buildPolicy } from '../register.js';
import { cand, request } from '../test-fixtures.js';

describe('round-robin policy', () => {
  it('takes workers in id order and wraps, whatever the cache says', () => {
    const { router } = buildPolicy('round-robin');
    const workers = [cand('w2'), cand('w1'), cand('w3')];
    const picks = Array.from({ length: 5 }, () => router.route(request({ w3: 10 }), workers)!.candidate.workerId);
    expect(picks).toEqual(['w1', 'w2', 'w3', 'w1', 'w2']);
  });

  it('skips a full worker without losing its place in the rotation', () => {
    const { router } = buildPolicy('round-robin');
    expect(router.route(request(), [cand('w1'), cand('w2'), cand('w3')])!.candidate.workerId).toBe('w1');
    expect(router.route(request(), [cand('w1'), cand('w2', { active: 8 }), cand('w3')])!.candidate.workerId).toBe('w3');
    expect(router.route(request(), [cand('w1'), cand('w2'), cand('w3')])!.candidate.workerId).toBe('w1');
  });
});
