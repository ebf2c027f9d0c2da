import { describe, expect, it } from '@jest/globals';
import { Code } from '@infermesh/errors';
import { buildPolicy } from '../register.js';
import { cand, request } from '../test-fixtures.js';

describe('cache-aware policy', () => {
  it('sends a prompt to the worker holding its prefix when loads are comparable', () => {
    const { router } = buildPolicy('cache-aware');
    const workers = [cand('w1', { active: 1 }), cand('w2', { active: 2 }), cand('w3', { active: 1 })];
    expect(router.route(request({ w2: 10 }), workers)).toMatchObject({ candidate: { workerId: 'w2' }, mode: 'cache-aware' });
  });

  it('prefers the longer cached prefix', () => {
    const { router } = buildPolicy('cache-aware');
    expect(router.route(request({ w1: 4, w2: 9 }), [cand('w1'), cand('w2')])!.candidate.workerId).toBe('w2');
  });

  it('spills to an idle worker when the cache-hot one is nearly full, and never to a full one', () => {
    const { router } = buildPolicy('cache-aware');
    const workers = [cand('w1', { active: 7, kvUsage: 0.9 }), cand('w2')];
    expect(router.route(request({ w1: 2 }), workers)!.candidate.workerId).toBe('w2');
    expect(router.route(request({ w1: 10 }), [cand('w1', { active: 8 }), cand('w2', { active: 7 })])!.candidate.workerId).toBe('w2');
  });

  it('routes by load alone when the directory did not answer', () => {
    const { router } = buildPolicy('cache-aware');
    const decision = router.route(request(undefined), [cand('w1', { active: 3 }), cand('w2', { active: 1 })]);
    expect(decision).toMatchObject({ candidate: { workerId: 'w2' }, mode: 'load-only' });
  });

  it('takes weights from configuration and rejects unknown policies', () => {
    const loadOnly = buildPolicy('cache-aware', { weights: { load: 1 } });
    expect(loadOnly.router.route(request({ w1: 10 }), [cand('w1', { active: 1 }), cand('w2')])!.candidate.workerId).toBe('w2');
    expect(() => buildPolicy('nope')).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
  });
});
