import { describe, expect, it } from '@jest/globals';
import { defaultFleetConfig } from './fleet-config.js';
import type { SimMetrics } from './metrics.js';
import { runSimulation } from './simulation.js';
import { buildWorkload } from './workloads/index.js';

const fleet = (workers: number) => ({ ...defaultFleetConfig(), workers });

/** Everything a run measured except how long the host took to compute it. */
const virtualPart = (m: SimMetrics): Omit<SimMetrics, 'wallMs' | 'speedup' | 'prepareMs' | 'speedupWithPrepare'> => {
  const { wallMs: _w, speedup: _s, prepareMs: _p, speedupWithPrepare: _sp, ...rest } = m;
  return rest;
};

describe('fleet simulation (production scheduler over simulated engines, virtual time)', () => {
  it('is deterministic: the same seed gives the same numbers, another seed others', async () => {
    const run = (seed: number) =>
      runSimulation({ workload: buildWorkload('shared-prefix', { rate: 20, requests: 150, seed }), policy: 'random', fleet: fleet(4), seed });
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(a.completed).toBe(150);
    expect(virtualPart(a)).toEqual(virtualPart(b));
    expect(virtualPart(c)).not.toEqual(virtualPart(a));
  });

  it('gives the same numbers whether the workload is prepared before the clock or generated lazily', async () => {
    for (const name of ['shared-prefix', 'multi-turn', 'no-sharing']) {
      const run = (prepare: boolean) =>
        runSimulation({ workload: buildWorkload(name, { rate: 20, requests: 120, seed: 4 }), policy: 'cache-aware', fleet: fleet(4), seed: 4, prepare });
      const prepared = await run(true);
      const lazy = await run(false);
      expect(lazy.prepareMs).toBe(0);
      expect(virtualPart(prepared)).toEqual(virtualPart(lazy));
    }
  });

  // Speed is measured by the benchmarks (docs/benchmarks/routing.md, tools/sim/README.md), not asserted here:
  // a timed assertion fails on a slow or busy CI machine without anything being wrong.
  it('runs a 16-worker fleet over tens of simulated seconds, decoupled from the wall clock', async () => {
    const m = await runSimulation({ workload: buildWorkload('multi-turn', { rate: 8, requests: 300, seed: 1 }), policy: 'cache-aware', fleet: fleet(16), seed: 1 });
    expect(m.completed).toBe(300);
    expect(m.virtualMs).toBeGreaterThan(30_000);
  });

  it('completes a prefill-heavy 16-worker run (8K-token prompts at 20 req/s)', async () => {
    const m = await runSimulation({ workload: buildWorkload('shared-prefix', { rate: 20, requests: 300, seed: 1 }), policy: 'cache-aware', fleet: fleet(16), seed: 1 });
    expect(m.completed).toBe(300);
    expect(m.promptTokensPerS).toBeGreaterThan(100_000);
  });

  it('serves multi-turn chats from cache when routing is cache-aware, unlike least-load', async () => {
    const run = (policy: string) => runSimulation({ workload: buildWorkload('multi-turn', { rate: 10, requests: 200, seed: 2 }), policy, fleet: fleet(8), seed: 2 });
    const [aware, blind] = [await run('cache-aware'), await run('least-load')];
    expect(aware.prefixHitRate).toBeGreaterThan(0.6);
    expect(aware.prefixHitRate).toBeGreaterThan(blind.prefixHitRate + 0.3);
    expect(aware.predictedHitRate).toBeGreaterThan(0.9);
    expect(blind.predictedHitRate).toBe(0);
  });

  it('fails a request the engine rejects without stopping the run', async () => {
    const tiny = { ...fleet(2), kvBlocks: 64 };
    const m = await runSimulation({ workload: buildWorkload('no-sharing', { rate: 5, requests: 20, seed: 3 }), policy: 'least-load', fleet: tiny, seed: 3 });
    expect(m.failed).toBeGreaterThan(0);
    expect(m.completed + m.failed).toBe(20);
  });
});
