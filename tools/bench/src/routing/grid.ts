import { buildWorkload, defaultFleetConfig, runSimulation, type FleetConfig, type SimMetrics } from '@infermesh/sim';

/** One cell of the report: a workload at a rate under a policy. */
export interface RunRow {
  readonly workload: string;
  readonly rate: number;
  readonly policy: string;
  readonly metrics: SimMetrics;
}

/** A workload's sweep: the rates it is run at and the requests per run. */
export interface WorkloadPlan {
  readonly workload: string;
  readonly rates: readonly number[];
  readonly requests: number;
}

export const POLICIES = ['random', 'round-robin', 'least-load', 'cache-aware', 'oracle'] as const;

/**
 * The report's grid. Rates span light load to the knee of the cache-blind policies; request
 * counts keep each run to seconds on a busy 2-core machine. Mooncake: 1 in 4 prefix families of
 * the trace (1,105 requests, see tools/sim mooncake.ts), time-scaled to the rate.
 */
export function defaultPlan(quick: boolean): WorkloadPlan[] {
  const n = (full: number): number => (quick ? Math.round(full / 4) : full);
  return [
    { workload: 'shared-prefix', rates: [10, 20, 40], requests: n(1500) },
    { workload: 'multi-turn', rates: [10, 20, 40], requests: n(1000) },
    { workload: 'no-sharing', rates: [10, 20, 40], requests: n(500) },
    { workload: 'mooncake', rates: [2, 4, 6], requests: n(1105) },
  ];
}

/** Runs every (workload, rate, policy) of the plan in turn, reporting progress on stderr. */
export async function runGrid(plan: readonly WorkloadPlan[], seed: number, fleet: FleetConfig = defaultFleetConfig()): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for (const w of plan) {
    for (const rate of w.rates) {
      for (const policy of POLICIES) {
        const workload = buildWorkload(w.workload, { rate, requests: w.requests, seed });
        const metrics = await runSimulation({ workload, policy, fleet, seed });
        rows.push({ workload: w.workload, rate, policy, metrics });
        process.stderr.write(
          `${w.workload.padEnd(13)} ${String(rate).padStart(3)}/s ${policy.padEnd(11)} TTFT p90 ${metrics.ttftMs.p90.toFixed(0).padStart(6)} ms  hits ${(100 * metrics.prefixHitRate).toFixed(1).padStart(5)}%  (${(metrics.wallMs / 1000).toFixed(1)} s wall)\n`,
        );
      }
    }
  }
  return rows;
}
