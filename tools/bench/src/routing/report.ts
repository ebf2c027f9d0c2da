import type { FleetConfig, SimMetrics } from '@infermesh/sim';
import { POLICIES, type RunRow, type WorkloadPlan } from './grid.js';
import type { FreshRun } from './speed.js';

/** A 16-worker run measuring the simulator itself. */
export interface SpeedRow {
  readonly workload: string;
  readonly rate: number;
  readonly metrics: SimMetrics;
  /** CPU time of the process during the simulation (all threads), ms. */
  readonly cpuMs: number;
  /** CPU time of the workload's preparation before it (drawing and hashing prompts, reading the trace), ms. */
  readonly prepareCpuMs: number;
  /** The long run of the case (`sustainedRequests`) as the first of a fresh process, when measured. */
  readonly sustained?: FreshRun;
}

/** Cache-aware and oracle under a slower KV-event feed. */
export interface LagRow {
  readonly workload: string;
  readonly rate: number;
  readonly eventDelayMs: number;
  readonly policy: string;
  readonly metrics: SimMetrics;
}

export function lagTable(rows: readonly LagRow[]): string {
  const out = ['| workload | rate | KV-event delay (ms) | policy | TTFT p50 | TTFT p90 | TTFT p99 | prefix hits | router-predicted / actual cached |', '|---|---:|---:|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const m = r.metrics;
    out.push(`| ${r.workload} | ${r.rate} | ${r.eventDelayMs} | ${r.policy} | ${f1(m.ttftMs.p50)} | ${f1(m.ttftMs.p90)} | ${f1(m.ttftMs.p99)} | ${pct(m.prefixHitRate)} | ${pct(m.predictedHitRate)} |`);
  }
  return out.join('\n');
}

/** Cache-aware with another prefix-overlap weight (load 1, kv-pressure 0.5). */
export interface WeightRow {
  readonly workload: string;
  readonly rate: number;
  readonly overlap: number;
  readonly metrics: SimMetrics;
}

export function weightTable(rows: readonly WeightRow[]): string {
  const out = ['| workload | rate | prefix-overlap weight | TTFT p50 | TTFT p90 | TTFT p99 | prefix hits |', '|---|---:|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const m = r.metrics;
    out.push(`| ${r.workload} | ${r.rate} | ${r.overlap} | ${f1(m.ttftMs.p50)} | ${f1(m.ttftMs.p90)} | ${f1(m.ttftMs.p99)} | ${pct(m.prefixHitRate)} |`);
  }
  return out.join('\n');
}

/** Everything the markdown needs besides the rows. */
export interface ReportContext {
  readonly command: string;
  readonly date: string;
  readonly host: string;
  readonly fleet: FleetConfig;
  readonly plan: readonly WorkloadPlan[];
  readonly seed: number;
  readonly totalWallS: number;
  /** Markdown written by hand (design notes), inserted after the results. */
  readonly notes: string;
  /** Markdown written by hand after the simulator-speed table (before/after measurements). */
  readonly speedNotes: string;
}

const f0 = (x: number): string => x.toFixed(0);
const f1 = (x: number): string => x.toFixed(1);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function find(rows: readonly RunRow[], workload: string, rate: number, policy: string): SimMetrics | undefined {
  return rows.find((r) => r.workload === workload && r.rate === rate && r.policy === policy)?.metrics;
}

/** Per workload and rate: cache-aware against the oracle (the bar: <= 1.2x) and least-load against cache-aware. */
export function verdictTable(rows: readonly RunRow[], plan: readonly WorkloadPlan[]): string {
  const out = ['| workload | rate (req/s) | cache-aware / oracle TTFT p90 | within 1.2x | least-load / cache-aware TTFT p90 | hit rate least-load -> cache-aware |', '|---|---:|---:|:---:|---:|---|'];
  for (const w of plan) {
    for (const rate of w.rates) {
      const ca = find(rows, w.workload, rate, 'cache-aware');
      const or = find(rows, w.workload, rate, 'oracle');
      const ll = find(rows, w.workload, rate, 'least-load');
      if (ca === undefined || or === undefined || ll === undefined) continue;
      const vsOracle = ca.ttftMs.p90 / Math.max(1e-9, or.ttftMs.p90);
      const vsLoad = ll.ttftMs.p90 / Math.max(1e-9, ca.ttftMs.p90);
      out.push(`| ${w.workload} | ${rate} | ${vsOracle.toFixed(2)}x | ${vsOracle <= 1.2 ? 'yes' : '**no**'} | ${vsLoad.toFixed(2)}x | ${pct(ll.prefixHitRate)} -> ${pct(ca.prefixHitRate)} |`);
    }
  }
  return out.join('\n');
}

/** The full results of one workload: every rate and policy. */
export function workloadTable(rows: readonly RunRow[], workload: string): string {
  const out = [
    '| rate | policy | TTFT p50 | TTFT p90 | TTFT p99 | ITL p50 | ITL p99 | queue p90 | output tok/s | req/s | prefix hits | done/failed |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const mine = rows.filter((r) => r.workload === workload);
  const rates = [...new Set(mine.map((r) => r.rate))].sort((a, b) => a - b);
  for (const rate of rates) {
    for (const policy of POLICIES) {
      const m = find(rows, workload, rate, policy);
      if (m === undefined) continue;
      out.push(
        `| ${rate} | ${policy} | ${f1(m.ttftMs.p50)} | ${f1(m.ttftMs.p90)} | ${f1(m.ttftMs.p99)} | ${f1(m.itlMs.p50)} | ${f1(m.itlMs.p99)} | ${f1(m.queueMs.p90)} | ${f0(m.outputTokensPerS)} | ${m.requestsPerS.toFixed(2)} | ${pct(m.prefixHitRate)} | ${m.completed}/${m.failed} |`,
      );
    }
  }
  return out.join('\n');
}

export function speedTable(rows: readonly SpeedRow[]): string {
  const out = [
    '| workload (16 workers, cache-aware) | rate (req/s) | requests | prompt tokens/s simulated | simulated s | simulation: wall s | speed-up (wall) | CPU s | speed-up (CPU) | preparation: wall s | with preparation: speed-up (wall) | speed-up (CPU) | sustained, fresh process: requests | simulated s | speed-up (wall) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const m = r.metrics;
    const perCpu = (ms: number): string => `${f0(m.virtualMs / Math.max(1e-9, ms))}x`;
    const s = r.sustained;
    const sustained = s === undefined ? '- | - | -' : `${s.requests} | ${f1(s.virtualMs / 1000)} | ${f0(s.virtualMs / Math.max(1e-9, s.wallMs))}x`;
    out.push(
      `| ${r.workload} | ${r.rate} | ${m.completed} | ${f0(m.promptTokensPerS)} | ${f1(m.virtualMs / 1000)} | ${(m.wallMs / 1000).toFixed(2)} | ${f0(m.speedup)}x | ${(r.cpuMs / 1000).toFixed(2)} | ${perCpu(r.cpuMs)} | ${(m.prepareMs / 1000).toFixed(2)} | ${f0(m.speedupWithPrepare)}x | ${perCpu(r.cpuMs + r.prepareCpuMs)} | ${sustained} |`,
    );
  }
  return out.join('\n');
}

/** The whole docs/benchmarks/routing.md. */
export function renderReport(
  ctx: ReportContext,
  rows: readonly RunRow[],
  speed: readonly SpeedRow[],
  lag: readonly LagRow[],
  weights: readonly WeightRow[],
): string {
  const fl = ctx.fleet;
  const parts = [
    '# Routing benchmark',
    '',
    `Generated by \`${ctx.command}\` on ${ctx.date} (${ctx.host}). Total run time ${f0(ctx.totalWallS)} s. Every number`,
    'below is virtual time from tools/sim except the wall-clock columns of the speed-up table.',
    '',
    '## Setup',
    `- Fleet: ${fl.workers} simulated ${fl.gpu} workers serving ${fl.model} (roofline step times of the worker-supervisor engine),`,
    `  max_num_seqs ${fl.maxNumSeqs}, max_num_batched_tokens ${fl.maxBatchedTokens}, ${fl.kvBlocks} KV blocks of 16 tokens per worker`,
    `  (${f0((fl.kvBlocks * 16) / 1000)}K tokens: 80 GB x 0.9 minus weights and a 4 GB reserve, tools/sim fleet-config.ts).`,
    `- The production \`Scheduler\` (fair queue, leases, has-free-slot admission) and \`Router\` from @infermesh/scheduler; the`,
    `  kv-directory's \`EventApplier\` + \`CompactKvIndex\` fed by the engines' KV events ${fl.eventDelayMs} ms after each step; load reports every ${fl.loadReportIntervalMs} ms.`,
    '- Policies (services/scheduler/src/routing/policies): random, round-robin, least-load (slot utilisation, KV pressure as',
    '  tie-break), cache-aware (prefix overlap from the directory + load + KV pressure), oracle (the same scoring fed with the',
    "  engines' true caches, read from their block pools at decision time).",
    `- Seed ${ctx.seed}; requests per run: ${ctx.plan.map((p) => `${p.workload} ${p.requests}`).join(', ')}. TTFT is measured from arrival at`,
    '  the scheduler (queueing included) to the first output token; ITL between consecutive tokens of a request.',
    '',
    '## Workloads',
    '- **shared-prefix**: 64 applications, each with its own 8,192-token system prompt, Zipf(0.6) popularity, questions of',
    '  32-256 tokens, answers of 32-256; Poisson arrivals. 512K distinct prefix tokens: 1.3x what one worker caches, 1/6 of the fleet.',
    '- **multi-turn**: chats of 2-10 turns (closed loop, think time exp(5 s)); each prompt is the whole conversation so far',
    '  (one of 4 shared 1K-token system prompts, user messages of 32-512 tokens, answers of 64-384) plus the new message.',
    '- **no-sharing**: unique prompts of 512-4,096 tokens, answers of 64-256; Poisson arrivals.',
    '- **mooncake**: `../shared/traces/mooncake-synthetic.jsonl` (Mooncake FAST\'25 synthetic trace), 1 in 4 prefix families',
    '  (requests whose first hash id is a multiple of 4: 1,105 requests, ideal hit rate 66.5% vs 65.1% for the whole trace),',
    '  real inter-arrival times scaled so the mean rate is the given rate (native: 1.08 req/s for the sample, 3.9 for the',
    '  whole trace); each 512-token hash id expanded to 32 synthetic 16-token blocks; prompts cut to fit the 128K context.',
    '',
    '## The bar',
    verdictTable(rows, ctx.plan),
    '',
    ctx.notes,
    '',
    '## Results',
  ];
  for (const p of ctx.plan) {
    parts.push('', `### ${p.workload}`, '', `![${p.workload}](routing/${p.workload}.svg)`, '', workloadTable(rows, p.workload));
  }
  parts.push(
    '',
    '## What the directory\'s lag costs',
    'Cache-aware routes on the kv-directory, which learns of a block only when the engine\'s KV event arrives; the oracle reads',
    'the block pools. Same runs with the event feed slowed down (2 ms is the default above):',
    '',
    lagTable(lag),
    '',
    '## Scorer weights',
    'Cache-aware with the prefix-overlap weight varied (load 1, kv-pressure 0.5; the preset is 2):',
    '',
    weightTable(weights),
    '',
    '## Simulator speed',
    'This run of the report, one run per case in this process (after the grid above, so the JIT is warm): 16 workers,',
    'cache-aware routing, every workload at the heaviest rate above with the request count of the grid. "Simulation" is the',
    "simulation alone; \"preparation\" is the workload's input preparation before the clock starts (drawing and hashing the",
    'prompts of open-loop workloads, reading the Mooncake trace; multi-turn draws its conversations during the run, as they',
    "depend on it). CPU time counts every thread of the process (the garbage collector's too). \"Sustained\" is a longer run",
    '(about four to six minutes simulated; Mooncake: its whole selection) as the first and only run of a fresh Node process',
    '(`fresh-run-main.js`), JIT warm-up included, as a CLI run sees it: the simulation alone, prepared before the clock.',
    '',
    speedTable(speed),
    '',
    ctx.speedNotes,
    '',
    '## Reproduce',
    '```',
    'npx tsc -b tools/bench tools/sim',
    ctx.command,
    '# one cell, e.g.:',
    'node tools/sim/dist/main.js --workload shared-prefix --policy cache-aware --rate 20 --requests 1000 --workers 8',
    '```',
    '',
  );
  return parts.join('\n');
}
