import { toBinary } from '@bufbuild/protobuf';
import type { WorkerRegistry } from '@infermesh/control-bus';
import { supervisor as sv } from '@infermesh/proto';
import type { Logger } from '@infermesh/telemetry';

/**
 * Mirrors the fleet into a shared `WorkerRegistry` (a JetStream KV bucket with a TTL on the
 * cluster profile): READY workers are put (value: a serialized `supervisor.v1.Worker`) at once
 * and re-put every `refreshMs` as a heartbeat; DEAD ones are removed at once. If this supervisor
 * vanishes, its entries expire by the registry's TTL and its workers leave routing on their own.
 * Registry failures (the bus away) are logged once per outage and retried on the next beat.
 */
export class RegistryPublisher {
  private readonly timer: NodeJS.Timeout;
  private failing = false;
  private stopped = false;

  constructor(
    private readonly registry: WorkerRegistry,
    private readonly live: () => sv.Worker[],
    refreshMs: number,
    private readonly logger: Logger,
  ) {
    this.timer = setInterval(() => void this.beat(), refreshMs);
    this.timer.unref();
  }

  /** A worker changed state: put it (READY) or remove it (DEAD or DRAINING) now. */
  changed(worker: sv.Worker): void {
    if (this.stopped) return;
    const op = worker.state === sv.WorkerState.READY
      ? this.registry.put(worker.workerId, toBinary(sv.WorkerSchema, worker))
      : worker.state === sv.WorkerState.STARTING ? Promise.resolve() : this.registry.remove(worker.workerId);
    void op.then(() => this.ok(), (err: unknown) => this.failed(err));
  }

  /** Re-puts every READY worker now (the bus came back: entries may have expired meanwhile). */
  refreshNow(): void {
    if (!this.stopped) void this.beat();
  }

  /** Stops the heartbeat and removes this fleet's workers (a graceful exit leaves no stale entries). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all(this.live().map((w) => this.registry.remove(w.workerId).catch(() => undefined)));
  }

  private async beat(): Promise<void> {
    try {
      for (const w of this.live()) if (w.state === sv.WorkerState.READY) await this.registry.put(w.workerId, toBinary(sv.WorkerSchema, w));
      this.ok();
    } catch (err) {
      this.failed(err);
    }
  }

  private ok(): void {
    if (this.failing) this.logger.info('worker registry reachable again');
    this.failing = false;
  }

  private failed(err: unknown): void {
    if (!this.failing) this.logger.warn({ err }, 'worker registry unreachable; retrying on the next heartbeat');
    this.failing = true;
  }
}
