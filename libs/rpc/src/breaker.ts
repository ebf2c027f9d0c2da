import CircuitBreaker from 'opossum';
import { Code, MeshError } from '@infermesh/errors';
import type { BreakerState } from './types.js';

/**
 * Circuit-breaker settings. The breaker never times calls out itself (`timeout: false`): each
 * call carries a gRPC deadline, which aborts that call alone; a deadline miss then counts as a
 * failure here.
 */
export interface BreakerOptions {
  /** Calls in the rolling window before the breaker may open (default 5). */
  volumeThreshold: number;
  /** Failure percentage that opens it (default 50). */
  errorThresholdPercentage: number;
  /** How long it stays open before one trial call, ms (default 2000). */
  resetTimeoutMs: number;
  /** Rolling statistics window, ms (default 10000). */
  rollingWindowMs: number;
}

export function defaultBreakerOptions(): BreakerOptions {
  return { volumeThreshold: 5, errorThresholdPercentage: 50, resetTimeoutMs: 2000, rollingWindowMs: 10_000 };
}

/** Codes that mean the callee (or the path to it) is unhealthy. Others are answers, not failures. */
const FAILURE_CODES = new Set<number>([Code.Unavailable, Code.DeadlineExceeded, Code.Internal, Code.Unknown, Code.DataLoss]);

export class Breaker {
  private readonly cb: CircuitBreaker<[() => Promise<unknown>], unknown>;

  constructor(
    private readonly name: string,
    options: BreakerOptions,
  ) {
    this.cb = new CircuitBreaker((run: () => Promise<unknown>) => run(), {
      timeout: false,
      volumeThreshold: options.volumeThreshold,
      errorThresholdPercentage: options.errorThresholdPercentage,
      resetTimeout: options.resetTimeoutMs,
      rollingCountTimeout: options.rollingWindowMs,
      rollingCountBuckets: 10,
      errorFilter: (err: unknown) => !FAILURE_CODES.has(MeshError.from(err).code),
    });
  }

  /** Runs `fn` through the breaker; when open, fails fast with UNAVAILABLE. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return (await this.cb.fire(fn)) as T;
    } catch (err) {
      if ((err as { code?: unknown }).code === 'EOPENBREAKER') {
        throw new MeshError(Code.Unavailable, `${this.name} is unavailable (circuit open)`, { cause: err });
      }
      throw err;
    }
  }

  state(): BreakerState {
    return this.cb.opened ? 'open' : this.cb.halfOpen ? 'half-open' : 'closed';
  }

  shutdown(): void {
    this.cb.shutdown();
  }
}
