/**
 * The simulator-speed cases: every routing workload at the heaviest rate and with the request count of the report,
 * and the request count of its sustained run: about five minutes simulated or more (Mooncake: its whole 1-in-4
 * selection of the trace, 185 s).
 */
export const SPEED_CASES: readonly { readonly workload: string; readonly rate: number; readonly requests: number; readonly sustainedRequests: number }[] = [
  { workload: 'shared-prefix', rate: 40, requests: 1500, sustainedRequests: 15_000 },
  { workload: 'multi-turn', rate: 40, requests: 1000, sustainedRequests: 6000 },
  { workload: 'no-sharing', rate: 40, requests: 500, sustainedRequests: 12_000 },
  { workload: 'mooncake', rate: 6, requests: 1105, sustainedRequests: 1105 },
];

/** One run that was the first of its own fresh process: what a CLI user sees, JIT warm-up included. */
export interface FreshRun {
  readonly requests: number;
  readonly virtualMs: number;
  /** The simulation alone. */
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly prepareMs: number;
}

/**
 * Repeated runs of one case in one process: the first includes the JIT's warm-up. Each run is
 * split in two: preparing the workload (drawing and hashing its prompts, reading the trace:
 * input preparation, done before the simulation clock starts) and the simulation itself.
 */
export interface SpeedSample {
  readonly workload: string;
  readonly rate: number;
  readonly requests: number;
  /** Simulated time of the run (identical across repeats: runs are deterministic). */
  readonly virtualMs: number;
  /** Wall time of each run's simulation alone, in order. */
  readonly wallMs: readonly number[];
  /** Wall time of each run's preparation, in order. */
  readonly prepareMs: readonly number[];
  /**
   * CPU time of the process during each run's simulation (all threads: the garbage collector's
   * helpers too). On a shared machine this is the steadier measure: waiting for a core does not count.
   */
  readonly cpuMs: readonly number[];
  /** CPU time of each run's preparation. */
  readonly prepareCpuMs: readonly number[];
  /** Virtual TTFT p90, ms: the same in every build that does not change behaviour. */
  readonly ttftP90: number;
  /** The sustained run (`sustainedRequests`, in a fresh child process), when measured. */
  readonly sustained?: FreshRun;
}

/** Speed-ups over real time (simulated seconds / wall or CPU seconds) of the simulation alone and with preparation. */
export interface SpeedSummary {
  /** The first run (in a fresh process it includes the JIT's warm-up, as a CLI run does). */
  readonly first: number;
  readonly firstWithPrepare: number;
  /** The fastest of the later runs (the first alone when there is one run). */
  readonly bestWall: number;
  readonly bestWallWithPrepare: number;
  /** The best over all runs of simulated seconds per CPU second. */
  readonly bestCpu: number;
  readonly bestCpuWithPrepare: number;
  /** The sustained run's speed-up (simulation alone, wall), when measured. */
  readonly sustained: number | undefined;
  readonly line: string;
}

export function summariseSpeed(s: SpeedSample): SpeedSummary {
  const ratio = (ms: number): number => s.virtualMs / Math.max(1e-9, ms);
  const later = <T>(v: readonly T[]): readonly T[] => (v.length > 1 ? v.slice(1) : v);
  const sum = (a: readonly number[], b: readonly number[]): number[] => a.map((x, i) => x + (b[i] ?? 0));
  const best = (v: readonly number[]): number => ratio(Math.min(...v));
  const first = ratio(s.wallMs[0] ?? 0);
  const firstWithPrepare = ratio((s.wallMs[0] ?? 0) + (s.prepareMs[0] ?? 0));
  const bestWall = best(later(s.wallMs));
  const bestWallWithPrepare = best(later(sum(s.wallMs, s.prepareMs)));
  const bestCpu = best(s.cpuMs);
  const bestCpuWithPrepare = best(sum(s.cpuMs, s.prepareCpuMs));
  const secs = (v: readonly number[]): string => v.map((w) => (w / 1000).toFixed(2)).join('/');
  const x = (v: number): string => `${v.toFixed(0)}x`;
  const run = s.sustained;
  const sustained = run === undefined ? undefined : run.virtualMs / Math.max(1e-9, run.wallMs);
  const sustainedText =
    run === undefined || sustained === undefined
      ? ''
      : `  | sustained (fresh process, ${run.requests} req, ${(run.virtualMs / 1000).toFixed(0)} s simulated): wall ${(run.wallMs / 1000).toFixed(2)} s, ${x(sustained)}, CPU ${x(run.virtualMs / Math.max(1e-9, run.cpuMs))}`;
  const line =
    `${s.workload.padEnd(13)} ${String(s.rate).padStart(3)}/s ${String(s.requests).padStart(5)} req  simulated ${(s.virtualMs / 1000).toFixed(1).padStart(6)} s` +
    `  simulation: wall ${secs(s.wallMs)} s, CPU ${secs(s.cpuMs)} s; first ${x(first)} best ${x(bestWall)} best CPU ${x(bestCpu)}` +
    `  | preparation: wall ${secs(s.prepareMs)} s; with it: first ${x(firstWithPrepare)} best ${x(bestWallWithPrepare)} best CPU ${x(bestCpuWithPrepare)}` +
    `  (TTFT p90 ${s.ttftP90.toFixed(1)} ms)` +
    sustainedText;
  return { first, firstWithPrepare, bestWall, bestWallWithPrepare, bestCpu, bestCpuWithPrepare, sustained, line };
}
