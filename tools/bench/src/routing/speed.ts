/** The simulator-speed cases: every routing workload at the heaviest rate and with the request count of the report. */
export const SPEED_CASES: readonly { readonly workload: string; readonly rate: number; readonly requests: number }[] = [
  { workload: 'shared-prefix', rate: 40, requests: 1500 },
  { workload: 'multi-turn', rate: 40, requests: 1000 },
  { workload: 'no-sharing', rate: 40, requests: 500 },
  { workload: 'mooncake', rate: 6, requests: 1105 },
];

/** Repeated runs of one case in one process: the first includes the JIT's warm-up. */
export interface SpeedSample {
  readonly workload: string;
  readonly rate: number;
  readonly requests: number;
  /** Simulated time of the run (identical across repeats: runs are deterministic). */
  readonly virtualMs: number;
  /** Wall time of each run, in order. */
  readonly wallMs: readonly number[];
  /**
   * CPU time of the process during each run (all threads: the garbage collector's helpers
   * too). On a shared machine this is the steadier measure: waiting for a core does not count.
   */
  readonly cpuMs: readonly number[];
  /** Virtual TTFT p90, ms: the same in every build that does not change behaviour. */
  readonly ttftP90: number;
}

/** Speed-ups over real time (simulated / wall or CPU seconds). */
export interface SpeedSummary {
  /** The first run (in a fresh process it includes the JIT's warm-up, as a CLI run does). */
  readonly first: number;
  /** Median of the later runs (the first alone when there is one run). */
  readonly median: number;
  /** Median over all runs of simulated seconds per CPU second. */
  readonly cpuMedian: number;
  readonly line: string;
}

const medianOf = (v: readonly number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
};

export function summariseSpeed(s: SpeedSample): SpeedSummary {
  const ratio = (ms: number): number => s.virtualMs / Math.max(1e-9, ms);
  const first = ratio(s.wallMs[0] ?? 0);
  const median = medianOf((s.wallMs.length > 1 ? s.wallMs.slice(1) : s.wallMs).map(ratio));
  const cpuMedian = medianOf(s.cpuMs.map(ratio));
  const line = `${s.workload.padEnd(13)} ${String(s.rate).padStart(3)}/s ${String(s.requests).padStart(5)} req  simulated ${(s.virtualMs / 1000).toFixed(1).padStart(6)} s  wall ${s.wallMs.map((w) => (w / 1000).toFixed(2)).join('/')} s  first ${first.toFixed(0)}x  later median ${median.toFixed(0)}x  CPU ${s.cpuMs.map((w) => (w / 1000).toFixed(2)).join('/')} s  CPU median ${cpuMedian.toFixed(0)}x  (TTFT p90 ${s.ttftP90.toFixed(1)} ms)`;
  return { first, median, cpuMedian, line };
}
