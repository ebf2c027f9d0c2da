import { build, type Histogram } from 'hdr-histogram-js';

/** Latency percentiles, ms. */
export interface LatencySummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly mean: number;
  readonly count: number;
}

/** What one simulation run measured (all times virtual unless named wall). */
export interface SimMetrics {
  readonly requests: number;
  readonly completed: number;
  readonly failed: number;
  /** Time to first token: arrival at the scheduler to the first output token. */
  readonly ttftMs: LatencySummary;
  /** Inter-token latency: gaps between consecutive output tokens of a request. */
  readonly itlMs: LatencySummary;
  /** Time from arrival to the lease (the scheduler's queue). */
  readonly queueMs: LatencySummary;
  /** End-to-end latency: arrival to the last token. */
  readonly e2eMs: LatencySummary;
  /** Output tokens per second of virtual time, first arrival to last finish. */
  readonly outputTokensPerS: number;
  readonly requestsPerS: number;
  /** Prompt tokens per second of virtual time (what the simulator's hashing cost scales with). */
  readonly promptTokensPerS: number;
  /** Prompt tokens served from the engines' prefix caches / all prompt tokens, 0..1. */
  readonly prefixHitRate: number;
  /** Cached blocks the router expected (its match answer for the chosen worker) / blocks actually reused. */
  readonly predictedHitRate: number;
  readonly preemptions: number;
  /** Requests each worker served, by worker id. */
  readonly perWorker: Readonly<Record<string, number>>;
  readonly virtualMs: number;
  readonly wallMs: number;
  /** virtualMs / wallMs. */
  readonly speedup: number;
}

/** Microsecond-resolution HDR histogram of milliseconds (3 significant digits, up to ~11 days). */
export class MsHistogram {
  private readonly h: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e12, numberOfSignificantValueDigits: 3 });

  record(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  summary(): LatencySummary {
    const at = (p: number): number => (this.h.totalCount === 0 ? 0 : this.h.getValueAtPercentile(p) / 1000);
    return { p50: at(50), p90: at(90), p99: at(99), mean: this.h.totalCount === 0 ? 0 : this.h.mean / 1000, count: this.h.totalCount };
  }
}
