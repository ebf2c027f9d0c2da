import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildWorkload, defaultFleetConfig, runSimulation } from '@infermesh/sim';
import { SPEED_CASES, summariseSpeed, type SpeedSample } from './speed.js';

// Entry point: `node tools/bench/dist/routing/speed-main.js [--workers 16] [--requests N] [--repeats 3] [--only W] [--json]`.
// The simulator's own speed (simulated seconds per wall second) on the routing workloads at their heaviest report rates.
const { values } = parseArgs({
  options: {
    workers: { type: 'string', default: '16' },
    requests: { type: 'string' },
    repeats: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    only: { type: 'string' },
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
  let virtualMs = 0;
  let ttftP90 = 0;
  const requests = values.requests !== undefined ? Number(values.requests) : c.requests;
  for (let i = 0; i < repeats; i++) {
    const before = process.cpuUsage();
    const m = await runSimulation({ workload: buildWorkload(c.workload, { rate: c.rate, requests, seed }), policy: 'cache-aware', fleet, seed });
    const used = process.cpuUsage(before);
    cpu.push((used.user + used.system) / 1000);
    wall.push(m.wallMs);
    virtualMs = m.virtualMs;
    ttftP90 = m.ttftMs.p90;
  }
  const s: SpeedSample = { workload: c.workload, rate: c.rate, requests, virtualMs, wallMs: wall, cpuMs: cpu, ttftP90 };
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
