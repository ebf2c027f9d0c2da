import type { KvIndex } from '@infermesh/kv-directory';
import { build } from 'hdr-histogram-js';
import { pick, prng, randomHashes } from './workload.js';

export interface LatencyResult {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
  readonly count: number;
}

export interface MatchScenario {
  readonly label: string;
  /** How many of the 64 workers hold a prompt, and how deep, when it is queried. */
  readonly setup: 'mixed' | 'all-full';
}

const WORKERS = 64;
const PROMPT_BLOCKS = 512;
const PROMPTS = 256;
const SYSTEM_BLOCKS = 128;

/**
 * Match latency for 512-block prompts over 64 workers. `mixed`: 256 prompts share one of 8
 * 128-block system prompts; each prompt is cached on 1-8 workers to a random depth (whole or
 * cut short), and every worker holds some system prompts, so most workers match 128 blocks and a
 * few match deeper. `all-full`: every worker holds the whole queried prompt (the worst case: 64
 * candidates alive for all 512 blocks). Match asks over every worker holding the model.
 */
export function runMatchLatency(make: () => KvIndex, scenario: MatchScenario, queries: number, seed: number): LatencyResult {
  const rnd = prng(seed);
  const index = make();
  const systems = Array.from({ length: 8 }, () => randomHashes(rnd, SYSTEM_BLOCKS));
  const prompts = Array.from({ length: PROMPTS }, () => [...systems[pick(rnd, 8)]!, ...randomHashes(rnd, PROMPT_BLOCKS - SYSTEM_BLOCKS)]);
  if (scenario.setup === 'all-full') {
    for (let w = 0; w < WORKERS; w++) for (const p of prompts.slice(0, 4)) index.stored(`worker-${w}`, 'llama', p);
  } else {
    for (let w = 0; w < WORKERS; w++) for (const s of systems) if (rnd() < 0.6) index.stored(`worker-${w}`, 'llama', s);
    for (const p of prompts) {
      const copies = 1 + pick(rnd, 8);
      for (let c = 0; c < copies; c++) index.stored(`worker-${pick(rnd, WORKERS)}`, 'llama', p.slice(0, rnd() < 0.5 ? PROMPT_BLOCKS : 16 * (1 + pick(rnd, 32))));
    }
  }
  const pool = scenario.setup === 'all-full' ? prompts.slice(0, 4) : prompts;
  const hist = build({ lowestDiscernibleValue: 1, highestTrackableValue: 10_000_000_000, numberOfSignificantValueDigits: 3 });
  for (let i = 0; i < Math.min(200, queries); i++) index.match('llama', pool[i % pool.length]!);
  let sink = 0;
  for (let i = 0; i < queries; i++) {
    const prompt = pool[pick(rnd, pool.length)]!;
    const t0 = process.hrtime.bigint();
    sink += index.match('llama', prompt).length;
    hist.recordValue(Number(process.hrtime.bigint() - t0));
  }
  if (sink !== queries * WORKERS && scenario.setup === 'all-full') throw new Error('all-full: every worker must answer');
  const result = {
    p50Us: hist.getValueAtPercentile(50) / 1000,
    p99Us: hist.getValueAtPercentile(99) / 1000,
    maxUs: hist.maxValue / 1000,
    count: hist.totalCount,
  };
  hist.destroy();
  return result;
}
