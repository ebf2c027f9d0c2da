import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildWorkload, defaultFleetConfig, runSimulation } from '@infermesh/sim';
import { freshRun } from './fresh-run.js';
import { SPEED_CASES, summariseSpeed, type SpeedSample } from './speed.js';

// Entry point: `node tools/bench/dist/routing/speed-main.js [--workers 16] [--requests N] [--repeats 3] [--only W]
//   [--sustained-requests N | --no-sustained] [--json]`.
// The simulator's own speed (simulated seconds per wall second) on the routing workloads at their heaviest report rates,
// of the simulation alone and with the workload's preparation (prompts drawn and hashed before the clock starts), and the
// sustained speed: the first run of a fresh child process over a long simulation (the case's `sustainedRequests`).

const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '16' },
    requests: { type: 'string' },
    repeats: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
    'sustained-requests': { type: 'string' },
    'no-sustained': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const workers = Number(values.workers);
const repeats = Math.max(1, Number(values.repeats));
const seed = Number(values.seed);
const fleet = { ...defaultFleetConfig(), workers };
const loadBefore = loadavg()[0]!;

const samples: SpeedSample[] = [];
for (const c of SPEED_CASES) {
  if (values.only !== undefined && c.workload !== values.only) continue;
  const wall: number[] = [];
  const cpu: number[] = [];
  const prepare: number[] = [];
  const prepareCpu: number[] = [];
  let virtualMs = 0;
  let ttftP90 = 0;
  const requests = values.requests !== undefined ? Number(values.requests) : c.requests;
  for (let i = 0; i < repeats; i++) {
    const workload = buildWorkload(c.workload, { rate: c.rate, requests, seed });
    const prepareStarted = performance.now();
    const prepareCpuBefore = process.cpuUsage();
    workload.prepare?.();
    const prepareUsed = process.cpuUsage(prepareCpuBefore);
    prepare.push(performance.now() - prepareStarted);
    prepareCpu.push((prepareUsed.user + prepareUsed.system) / 1000);
    const before = process.cpuUsage();
    // Already prepared: runSimulation's own call to prepare() finds nothing left to do.
    const m = await runSimulation({ workload, policy: 'cache-aware', fleet, seed });
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
    wall.push(m.wallMs);
    virtualMs = m.virtualMs;
    ttftP90 = m.ttftMs.p90;
  }
  // The sustained run goes first in a process of its own: this one's JIT is warm by now.
  const sustainedRequests = values['sustained-requests'] !== undefined ? Number(values['sustained-requests']) : c.sustainedRequests;
  const sustained = values['no-sustained'] ? undefined : freshRun({ workload: c.workload, rate: c.rate, requests: sustainedRequests }, workers, seed);
  const s: SpeedSample = {
    workload: c.workload,
    rate: c.rate,
    requests,
    virtualMs,
    wallMs: wall,
    prepareMs: prepare,
    cpuMs: cpu,
    prepareCpuMs: prepareCpu,
    ttftP90,
    ...(sustained !== undefined ? { sustained } : {}),
  };
  samples.push(s);
  process.stderr.write(`${summariseSpeed(s).line}\n`);
}
const loadAfter = loadavg()[0]!;
if (values.json) {
  console.log(JSON.stringify({ node: process.version, workers, repeats, loadBefore, loadAfter, samples }, null, 2));
} else {
  console.log(`Node ${process.version}, ${workers} workers, cache-aware, ${repeats} runs each, load average ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)}`);
  for (const s of samples) console.log(summariseSpeed(s).line);
}
