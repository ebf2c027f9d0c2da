import type { Logger } from '@infermesh/telemetry';
import type { WorkerInfo, WorkerSource } from './ports.js';

/**
 * Keeps the scheduler's fleet in step with the worker registry: a full listing every
 * `intervalMs`, and at once when `refresh()` is called (a fleet change arrived). At most one
 * listing is in flight; a refresh asked for meanwhile runs once after it. A failed listing keeps
 * the last known fleet: losing the supervisor for a moment must not empty the routing table.
 */
export class RegistryPoller {
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private again = false;
  private failing = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly source: WorkerSource,
    private readonly apply: (workers: WorkerInfo[]) => void,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** Lists once (resolving even if that fails) and then polls on the interval. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.intervalMs);
    this.timer.unref();
  }

  refresh(): Promise<void> {
    if (this.abort.signal.aborted) return Promise.resolve();
    if (this.inFlight !== undefined) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = this.once().finally(() => {
      this.inFlight = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.inFlight;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.abort.abort();
  }

  private async once(): Promise<void> {
    try {
      const workers = await this.source.list(this.abort.signal);
      if (this.abort.signal.aborted) return;
      this.apply(workers);
      if (this.failing) this.logger.info({ workers: workers.length }, 'worker registry reachable again');
      this.failing = false;
    } catch (err) {
      if (this.abort.signal.aborted) return;
      if (!this.failing) this.logger.warn({ err }, 'worker registry unreachable; keeping the last known fleet');
      this.failing = true;
    }
  }
}
