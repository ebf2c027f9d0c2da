import { parseArgs } from 'node:util';
import { defaultFleetConfig } from './fleet-config.js';
import { runSimulation } from './simulation.js';
import { buildWorkload } from './workloads/index.js';
import type { LatencySummary } from './metrics.js';

const HELP = `usage: node tools/sim/dist/main.js --workload <shared-prefix|multi-turn|no-sharing|mooncake> --policy <random|round-robin|least-load|cache-aware|oracle>
  [--rate <req/s>=10] [--requests <n>=1000] [--workers <n>=8] [--seed <n>=1] [--event-delay-ms <ms>=2]
  [--weights prefix-overlap=2,load=1,kv-pressure=0.5] [--json]`;

const { values } = parseArgs({
  options: {
    workload: { type: 'string', default: 'shared-prefix' },
    policy: { type: 'string', default: 'cache-aware' },
    rate: { type: 'string', default: '10' },
    requests: { type: 'string', default: '1000' },
    workers: { type: 'string', default: '8' },
    seed: { type: 'string', default: '1' },
    'event-delay-ms': { type: 'string', default: '2' },
    weights: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

const num = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number, got ${v}\n${HELP}`);
    process.exit(2);
  }
  return n;
};

const weights = values.weights?.split(',').reduce<Record<string, number>>((acc, kv) => {
  const [k, v] = kv.split('=');
  acc[k ?? ''] = Number(v);
  return acc;
}, {});
const seed = num('seed', values.seed);
const fleet = { ...defaultFleetConfig(), workers: num('workers', values.workers), eventDelayMs: Number(values['event-delay-ms']) };
const workload = buildWorkload(values.workload, { rate: num('rate', values.rate), requests: num('requests', values.requests), seed });
const m = await runSimulation({ workload, policy: values.policy, fleet, seed, ...(weights !== undefined ? { weights } : {}) });

if (values.json) {
  console.log(JSON.stringify(m, null, 2));
} else {
  const l = (s: LatencySummary): string => `p50 ${s.p50.toFixed(1)}  p90 ${s.p90.toFixed(1)}  p99 ${s.p99.toFixed(1)}  mean ${s.mean.toFixed(1)}`;
  console.log(`workload ${values.workload}  policy ${values.policy}  rate ${values.rate}/s  workers ${fleet.workers}  requests ${m.completed}/${m.requests} (failed ${m.failed})`);
  console.log(`TTFT ms      ${l(m.ttftMs)}`);
  console.log(`ITL ms       ${l(m.itlMs)}`);
  console.log(`queue ms     ${l(m.queueMs)}`);
  console.log(`throughput   ${m.outputTokensPerS.toFixed(0)} output tok/s, ${m.requestsPerS.toFixed(2)} req/s`);
  console.log(`prefix hits  ${(100 * m.prefixHitRate).toFixed(1)}% of prompt tokens (router predicted ${(100 * m.predictedHitRate).toFixed(0)}% of them); preemptions ${m.preemptions}`);
  console.log(`time         ${(m.virtualMs / 1000).toFixed(1)} s simulated in ${(m.wallMs / 1000).toFixed(2)} s wall: ${m.speedup.toFixed(0)}x real time`);
  console.log(`             (${(m.prepareMs / 1000).toFixed(2)} s more preparing the workload: ${m.speedupWithPrepare.toFixed(0)}x with it)`);
}
