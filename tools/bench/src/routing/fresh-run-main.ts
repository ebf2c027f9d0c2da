import { parseArgs } from 'node:util';
import { buildWorkload, defaultFleetConfig, runSimulation } from '@infermesh/sim';
import type { FreshRun } from './speed.js';

// Child entry of `freshRun` (fresh-run.ts): `node fresh-run-main.js --workload W --rate R --requests N [--workers 16] [--seed 1]`.
// One cache-aware run, the first and only of this process (JIT warm-up included), prepared before the clock; prints a
// FreshRun as JSON on stdout.
const { values } = parseArgs({
  options: {
    workload: { type: 'string' },
    rate: { type: 'string' },
    requests: { type: 'string' },
    workers: { type: 'string', default: '16' },
    seed: { type: 'string', default: '1' },
  },
});
if (values.workload === undefined || values.rate === undefined || values.requests === undefined) {
  throw new Error('usage: fresh-run-main.js --workload W --rate R --requests N [--workers 16] [--seed 1]');
}
const seed = Number(values.seed);
const requests = Number(values.requests);
const workload = buildWorkload(values.workload, { rate: Number(values.rate), requests, seed });
const prepareStarted = performance.now();
workload.prepare?.();
const prepareMs = performance.now() - prepareStarted;
const before = process.cpuUsage();
const m = await runSimulation({ workload, policy: 'cache-aware', fleet: { ...defaultFleetConfig(), workers: Number(values.workers) }, seed });
const used = process.cpuUsage(before);
const run: FreshRun = { requests: m.requests, virtualMs: m.virtualMs, wallMs: m.wallMs, cpuMs: (used.user + used.system) / 1000, prepareMs };
process.stdout.write(`${JSON.stringify(run)}\n`);
