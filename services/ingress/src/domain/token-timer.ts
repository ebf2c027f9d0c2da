import { timestampFromMs } from '@bufbuild/protobuf/wkt';

/** Latency breakdown in ms (the wire's common.v1.Timings). */
export interface RequestTimings {
  queueMs: number;
  timeToFirstTokenMs: number;
  interTokenLatencyMs: number;
  totalMs: number;
}

/**
 * Latency bookkeeping of one request, on the monotonic clock. Inter-token latency is the mean
 * gap per token after the first: tokens arrive in per-step batches, so a batch of n tokens
 * counts as n tokens over the time since the previous batch.
 */
export class TokenTimer {
  private readonly acceptedWall = Date.now();
  private readonly accepted = performance.now();
  private scheduledAt: number | undefined;
  private firstAt: number | undefined;
  private lastAt: number | undefined;
  private count = 0;

  scheduled(): void {
    this.scheduledAt = performance.now();
  }

  queueMs(): number {
    return (this.scheduledAt ?? performance.now()) - this.accepted;
  }

  /** Marks the first token; returns time to first token in ms. */
  firstToken(): number {
    this.firstAt = performance.now();
    return this.firstAt - this.accepted;
  }

  tokens(n: number): void {
    this.lastAt = performance.now();
    this.count += n;
  }

  acceptedAtTimestamp() {
    return timestampFromMs(this.acceptedWall);
  }

  timings(): RequestTimings {
    const now = performance.now();
    const itl = this.firstAt !== undefined && this.lastAt !== undefined && this.count > 1 ? (this.lastAt - this.firstAt) / (this.count - 1) : 0;
    return {
      queueMs: this.queueMs(),
      timeToFirstTokenMs: this.firstAt === undefined ? 0 : this.firstAt - this.accepted,
      interTokenLatencyMs: itl,
      totalMs: now - this.accepted,
    };
  }
}
