import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Code } from '@infermesh/errors';
import { maxScorePicker } from './pickers/max-score.js';
import { buildRouter, defaultRouterConfig, scorers } from './register.js';
import type { Candidate, RoutingRequest } from './types.js';

const cand = (workerId: string, over: Partial<Candidate> = {}): Candidate => ({
  workerId,
  address: `a:${workerId}`,
  models: ['m'],
  ready: true,
  active: 0,
  capacity: 4,
  waiting: 0,
  kvUsage: 0,
  ...over,
});
const request = (matches: Record<string, number> | undefined, promptBlocks = 4): RoutingRequest => ({
  model: 'm',
  promptBlocks,
  matches: matches === undefined ? undefined : new Map(Object.entries(matches)),
});

describe('routing plugins', () => {
  it('every scorer stays in [0,1] whatever the inputs', () => {
    const candidateArb = fc.record({
      active: fc.nat(20),
      capacity: fc.nat(20),
      kvUsage: fc.double({ min: -1, max: 2, noNaN: false }),
      matched: fc.nat(40),
      promptBlocks: fc.nat(30),
    });
    fc.assert(
      fc.property(candidateArb, ({ active, capacity, kvUsage, matched, promptBlocks }) => {
        const c = cand('w', { active, capacity, kvUsage });
        for (const scorer of Object.values(scorers)) {
          const s = scorer.score(request({ w: matched }, promptBlocks), c);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(1);
        }
      }),
    );
  });

  it('filters out workers that do not serve the model, are not ready, or are full', () => {
    const router = buildRouter(defaultRouterConfig());
    const only = (c: Candidate) => router.route(request({}), [c]);
    expect(only(cand('w', { models: ['x'] }))).toBeUndefined();
    expect(only(cand('w', { ready: false }))).toBeUndefined();
    expect(only(cand('w', { active: 4 }))).toBeUndefined();
    expect(only(cand('w'))?.candidate.workerId).toBe('w');
  });

  it('picks the highest score, then the least utilised, then the lowest id', () => {
    const scored = (id: string, score: number, active: number) => ({ candidate: cand(id, { active }), score });
    expect(maxScorePicker.pick([scored('a', 1, 0), scored('b', 2, 3)]).candidate.workerId).toBe('b');
    expect(maxScorePicker.pick([scored('a', 1, 2), scored('b', 1, 1)]).candidate.workerId).toBe('b');
    expect(maxScorePicker.pick([scored('b', 1, 1), scored('a', 1, 1)]).candidate.workerId).toBe('a');
  });

  it('prefers a cached prefix at comparable load, and ignores the directory in load-only mode', () => {
    const router = buildRouter(defaultRouterConfig());
    const workers = [cand('w1'), cand('w2', { active: 1 })];
    expect(router.route(request({ w2: 4 }), workers)).toMatchObject({ candidate: { workerId: 'w2' }, mode: 'cache-aware' });
    expect(router.route(request(undefined), workers)).toMatchObject({ candidate: { workerId: 'w1' }, mode: 'load-only' });
  });

  it('rejects unknown plugin names and negative weights as INVALID_ARGUMENT', () => {
    const base = defaultRouterConfig();
    expect(() => buildRouter({ ...base, filters: ['nope'] })).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
    expect(() => buildRouter({ ...base, weights: { load: -1 } })).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
    expect(() => buildRouter({ ...base, picker: 'nope' })).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
  });
});
