import { describe, expect, it } from '@jest/globals';
import { buildPolicy } from '../register.js';
import { OracleMatcher, type TrueCacheProbe } from './index.js';

/** A probe over a set of held block hashes, like an engine's block pool. */
const probe = (workerId: string, held: bigint[]): TrueCacheProbe => ({
  workerId,
  cachedPrefixBlocks: (_model, hashes) => {
    let n = 0;
    while (n < hashes.length && held.includes(hashes[n]!)) n++;
    return n;
  },
});

describe('oracle policy', () => {
  it('answers each queried worker with its true cached prefix, omitting zeros and unknown workers', async () => {
    const matcher = new OracleMatcher([probe('w1', [1n, 2n, 3n]), probe('w2', [1n, 3n]), probe('w3', [9n])]);
    const answer = await matcher.match({ model: 'm', blockHashes: [1n, 2n, 3n, 4n], workerIds: ['w1', 'w2', 'w3', 'w9'] });
    expect([...answer]).toEqual([
      ['w1', 3],
      ['w2', 1],
    ]);
    const only = await matcher.match({ model: 'm', blockHashes: [1n, 2n], workerIds: ['w2'] });
    expect([...only]).toEqual([['w2', 1]]);
  });

  it('scores exactly like cache-aware, so the two differ only in what they know', () => {
    const oracle = buildPolicy('oracle');
    const cacheAware = buildPolicy('cache-aware');
    expect(oracle.policy.matchSource).toBe('oracle');
    expect(cacheAware.policy.matchSource).toBe('directory');
    expect(oracle.config).toEqual(cacheAware.config);
  });
});
