import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildWorkload, defaultFleetConfig, runSimulation } from '@infermesh/sim';
import { NOTES, SPEED_NOTES } from './notes.js';
import { freshRun } from './fresh-run.js';
import { SPEED_CASES } from './speed.js';
import { defaultPlan, runGrid } from './grid.js';
import { renderSvg, workloadSpec } from './plots.js';
import { renderReport, type LagRow, type SpeedRow, type WeightRow } from './report.js';

// Entry point: `node tools/bench/dist/routing/main.js [--quick] [--seed N] [--out DIR]`.
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: fileURLToPath(new URL('../../../../docs/benchmarks/', import.meta.url)) },
  },
});
const seed = Number(values.seed);
const plan = defaultPlan(values.quick);
const fleet = defaultFleetConfig();
const load = loadavg()[0]!.toFixed(1);
const started = performance.now();

const rows = await runGrid(plan, seed, fleet);

const lag: LagRow[] = [];
for (const [workload, rate] of [['shared-prefix', 20], ['multi-turn', 20]] as const) {
  for (const eventDelayMs of [2, 100, 1000]) {
    for (const policy of ['cache-aware', 'oracle']) {
      const metrics = await runSimulation({ workload: buildWorkload(workload, { rate, requests: plan[0]!.requests, seed }), policy, fleet: { ...fleet, eventDelayMs }, seed });
      lag.push({ workload, rate, eventDelayMs, policy, metrics });
      process.stderr.write(`lag ${workload} ${eventDelayMs} ms ${policy}: TTFT p90 ${metrics.ttftMs.p90.toFixed(0)} ms\n`);
    }
  }
}

const weights: WeightRow[] = [];
for (const [workload, rate, requests] of [['shared-prefix', 40, plan[0]!.requests], ['mooncake', 4, plan[3]!.requests]] as const) {
  for (const overlap of [0.05, 0.5, 2, 4]) {
    const w = { 'prefix-overlap': overlap, load: 1, 'kv-pressure': 0.5 };
    const metrics = await runSimulation({ workload: buildWorkload(workload, { rate, requests, seed }), policy: 'cache-aware', fleet, seed, weights: w });
    weights.push({ workload, rate, overlap, metrics });
    process.stderr.write(`weights ${workload} overlap ${overlap}: TTFT p90 ${metrics.ttftMs.p90.toFixed(0)} ms\n`);
  }
}

const speed: SpeedRow[] = [];
for (const c of SPEED_CASES) {
  const workload = buildWorkload(c.workload, { rate: c.rate, requests: values.quick ? Math.round(c.requests / 4) : c.requests, seed });
  const prepareBefore = process.cpuUsage();
  const prepareStarted = performance.now();
  workload.prepare?.();
  const prepareMs = performance.now() - prepareStarted;
  const prepared = process.cpuUsage(prepareBefore);
  const before = process.cpuUsage();
  const simulated = await runSimulation({ workload, policy: 'cache-aware', fleet: { ...fleet, workers: 16 }, seed });
  const used = process.cpuUsage(before);
  // Prepared above, so the run's own preparation found nothing left: report the one timed here.
  const metrics = { ...simulated, prepareMs, speedupWithPrepare: simulated.virtualMs / Math.max(1e-9, simulated.wallMs + prepareMs) };
  // The long run as a CLI user sees it: the first of a fresh process (this one's JIT is warm by now).
  const sustained = freshRun({ workload: c.workload, rate: c.rate, requests: values.quick ? Math.round(c.sustainedRequests / 4) : c.sustainedRequests }, 16, seed);
  speed.push({ workload: c.workload, rate: c.rate, metrics, cpuMs: (used.user + used.system) / 1000, prepareCpuMs: (prepared.user + prepared.system) / 1000, sustained });
  process.stderr.write(`speed ${c.workload}: ${metrics.speedup.toFixed(0)}x real time, sustained ${(sustained.virtualMs / sustained.wallMs).toFixed(0)}x\n`);
}

const outDir = values.out;
mkdirSync(`${outDir}/routing`, { recursive: true });
for (const p of plan) writeFileSync(`${outDir}/routing/${p.workload}.svg`, await renderSvg(workloadSpec(p.workload, rows)));
const command = `node tools/bench/dist/routing/main.js${values.quick ? ' --quick' : ''}${seed !== 1 ? ` --seed ${seed}` : ''}`;
const md = renderReport(
  {
    command,
    date: new Date().toISOString().slice(0, 10),
    host: `Node ${process.version}, 2 cores shared with other engineers' builds and tests, load average ${load} at the start`,
    fleet,
    plan,
    seed,
    totalWallS: (performance.now() - started) / 1000,
    notes: NOTES,
    speedNotes: SPEED_NOTES,
  },
  rows,
  speed,
  lag,
  weights,
);
writeFileSync(`${outDir}/routing.md`, md);
process.stderr.write(`wrote ${outDir}/routing.md and ${plan.length} plots in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
