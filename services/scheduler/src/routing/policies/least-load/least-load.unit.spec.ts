import { describe, expect, it } from '@jest/globals';
import { buildPolicy } from '../register.js';
import { cand, request } from '../test-fixtures.js';

describe('least-load policy', () => {
  it('picks the least utilised worker and ignores cached prefixes', () => {
    const { router, policy } = buildPolicy('least-load');
    expect(policy.matchSource).toBe('none');
    const workers = [cand('w1', { active: 3 }), cand('w2', { active: 1 }), cand('w3', { active: 2 })];
    expect(router.route(request({ w1: 10 }), workers)!.candidate.workerId).toBe('w2');
  });

  it('uses KV pressure only to break a tie in slots', () => {
    const { router } = buildPolicy('least-load');
    const tie = [cand('w1', { active: 2, kvUsage: 0.9 }), cand('w2', { active: 2, kvUsage: 0.2 })];
    expect(router.route(request(), tie)!.candidate.workerId).toBe('w2');
    const notTie = [cand('w1', { active: 1, kvUsage: 0.9 }), cand('w2', { active: 2, kvUsage: 0 })];
    expect(router.route(request(), notTie)!.candidate.workerId).toBe('w1');
  });
});
