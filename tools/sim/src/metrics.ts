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
  /** Wall time of the simulation alone: from the first arrival's scheduling to the last finish. */
  readonly wallMs: number;
  /** Wall time of the workload's preparation before the clock started (0 when not prepared). */
  readonly prepareMs: number;
  /** virtualMs / wallMs: the simulation alone. */
  readonly speedup: number;
  /** virtualMs / (prepareMs + wallMs): input preparation and simulation. */
  readonly speedupWithPrepare: number;
}

/**
 * Microsecond-resolution HDR histogram of milliseconds (3 significant digits, up to ~11 days).
 * Runs of equal values are recorded as one value with a count (the same histogram: counts add):
 * the inter-token latencies of a batch's sequences are one step time each, so a run records a
 * few values per step instead of one per token.
 */
export class MsHistogram {
  private readonly h: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e12, numberOfSignificantValueDigits: 3 });
  private pending = 0;
  private pendingCount = 0;

  record(ms: number): void {
    const us = Math.max(1, Math.round(ms * 1000));
    if (us === this.pending) {
      this.pendingCount++;
      return;
    }
    if (this.pendingCount > 0) this.h.recordValueWithCount(this.pending, this.pendingCount);
    this.pending = us;
    this.pendingCount = 1;
  }

  summary(): LatencySummary {
    if (this.pendingCount > 0) this.h.recordValueWithCount(this.pending, this.pendingCount);
    this.pendingCount = 0;
    const at = (p: number): number => (this.h.totalCount === 0 ? 0 : this.h.getValueAtPercentile(p) / 1000);
    return { p50: at(50), p90: at(90), p99: at(99), mean: this.h.totalCount === 0 ? 0 : this.h.mean / 1000, count: this.h.totalCount };
  }
}
