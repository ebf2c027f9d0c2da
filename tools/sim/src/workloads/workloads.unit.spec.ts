import { describe, expect, it } from '@jest/globals';
import { hashBlocks } from '@infermesh/kv-blocks';
import { existsSync } from 'node:fs';
import { defaultMooncakePath, loadMooncakeTrace, mooncakeWorkload } from './mooncake.js';
import { buildWorkload } from './index.js';
import { BlockChainBuilder, SIM_CACHE_SALT, type SimRequest } from './types.js';

const take = (it: Iterable<SimRequest>, n: number): SimRequest[] => {
  const out: SimRequest[] = [];
  for (const r of it) {
    out.push(r);
    if (out.length === n) break;
  }
  return out;
};

describe('workloads', () => {
  it('hash prompts exactly as the engine and tokenizer do, also when a chain is continued', () => {
    const base = new BlockChainBuilder().append(Array.from({ length: 40 }, (_, i) => i));
    const chain = BlockChainBuilder.from(base).append(Array.from({ length: 30 }, (_, i) => 1000 + i));
    expect(chain.keys).toEqual(hashBlocks(chain.tokens, 16, SIM_CACHE_SALT).keys);
    expect(base.keys).toHaveLength(2);
  });

  it('shared-prefix: arrivals ascend, prompts start with one of the 8K system prompts', () => {
    const reqs = take(buildWorkload('shared-prefix', { rate: 10, requests: 50, seed: 1 }).arrivals(), 50);
    expect(reqs).toHaveLength(50);
    for (let i = 1; i < reqs.length; i++) expect(reqs[i]!.arrivalMs).toBeGreaterThanOrEqual(reqs[i - 1]!.arrivalMs);
    const firstBlocks = new Set(reqs.map((r) => r.blockHashes[511]));
    expect(firstBlocks.size).toBeLessThan(45);
    for (const r of reqs) expect(r.promptTokens.length).toBeGreaterThan(8192);
  });

  it('mooncake: finds the trace at <repo>/../shared/traces, or fails naming that path', () => {
    expect(() => loadMooncakeTrace('/nonexistent/mooncake.jsonl')).toThrow(/Mooncake trace not found at \/nonexistent.*shared\/traces/);
    expect(existsSync(defaultMooncakePath())).toBe(true);
  });

  it('mooncake: equal 512-token hash ids at equal positions expand to equal 16-token blocks', () => {
    const reqs = take(mooncakeWorkload({ rate: 4, requests: 400, seed: 1 }).arrivals(), 400);
    const lines = loadMooncakeTrace().filter((l) => (l.hash_ids[0] ?? 0) % 4 === 0);
    const i = lines.findIndex((l, k) => k > 0 && lines.slice(0, k).some((p) => p.hash_ids[0] === l.hash_ids[0] && p.hash_ids[1] === l.hash_ids[1]));
    expect(i).toBeGreaterThan(0);
    const j = lines.findIndex((p) => p.hash_ids[0] === lines[i]!.hash_ids[0] && p.hash_ids[1] === lines[i]!.hash_ids[1]);
    expect(reqs[i]!.blockHashes.slice(0, 64)).toEqual(reqs[j]!.blockHashes.slice(0, 64));
    expect(reqs[i]!.promptTokens.length).toBe(Math.min(lines[i]!.input_length, 131_072 - lines[i]!.output_length));
    expect(reqs[i]!.blockHashes).toHaveLength(Math.floor(reqs[i]!.promptTokens.length / 16));
    expect(reqs[5]!.blockHashes).toEqual(hashBlocks(reqs[5]!.promptTokens, 16, SIM_CACHE_SALT).keys);
  });
});
