import { MeshError, invalidArgument, resourceExhausted, unavailable } from '@infermesh/errors';
import type { Logger } from '@infermesh/telemetry';
import type { Router } from '../routing/router.js';
import type { Candidate } from '../routing/types.js';
import { FairQueue, type QueueTicket } from './fair-queue.js';
import { LeaseTable, type Lease } from './lease-table.js';
import { systemClock, type Clock, type KvMatcher, type WorkerInfo, type WorkerLoadReport } from './ports.js';
import { WorkerRegistry } from './worker-registry.js';
import { abortError, deadlineError, type Placement, type ScheduleCall, type ScheduleInput, type SchedulerCoreOptions, type SchedulerStats } from './schedule-types.js';

interface Pending {
  readonly input: ScheduleInput;
  readonly matches: ReadonlyMap<string, number> | undefined;
  readonly startedAt: number;
  readonly resolve: (p: Placement) => void;
  readonly reject: (e: MeshError) => void;
  ticket: QueueTicket<Pending> | undefined;
  dispose: () => void;
}

export interface SchedulerDeps {
  readonly matcher: KvMatcher;
  readonly router: Router;
  readonly logger: Logger;
  readonly clock?: Clock;
}

/**
 * The scheduler's domain core: admission into a bounded fair queue, routing through the Router,
 * leases. Everything is synchronous except the KV-directory lookup done once at admission (so
 * dispatch never awaits and two dispatches cannot race for one slot). Knows nothing of gRPC.
 */
export class Scheduler {
  private readonly queue: FairQueue<Pending>;
  private readonly registry: WorkerRegistry;
  private readonly leases: LeaseTable;
  private readonly clock: Clock;
  private readonly log: Logger;
  /** Requests past the capacity check and awaiting their directory lookup: they hold a queue place. */
  private admitting = 0;
  private admitted = 0;
  private rejected = 0;
  private cacheAware = 0;
  private loadOnly = 0;
  private closed = false;

  constructor(private readonly options: SchedulerCoreOptions, private readonly deps: SchedulerDeps) {
    this.queue = new FairQueue(options.queueCapacity);
    this.registry = new WorkerRegistry(options.fallbackCapacity);
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger;
    this.leases = new LeaseTable(options.leaseTtlMs, (lease) => this.onExpire(lease));
  }

  /**
   * Admits the request and resolves with a lease once a worker has a free slot. Rejects with
   * INVALID_ARGUMENT (no model), UNAVAILABLE (no READY worker serves the model, or shutdown),
   * RESOURCE_EXHAUSTED (queue full), DEADLINE_EXCEEDED (deadline passed while queued) or
   * CANCELLED (signal aborted). A directory failure only downgrades routing to load-only.
   */
  async schedule(input: ScheduleInput, call: ScheduleCall = {}): Promise<Placement> {
    if (this.closed) throw unavailable('scheduler is shutting down');
    if (input.model === '') throw invalidArgument('model is required', 'model');
    const serving = this.registry.readyFor(input.model);
    if (serving.length === 0) {
      this.rejected++;
      throw unavailable(`no ready worker serves model "${input.model}"`);
    }
    if (this.queue.size + this.admitting >= this.queue.capacity) {
      this.rejected++;
      throw resourceExhausted(`scheduler queue is full (${this.queue.capacity} waiting)`);
    }
    const startedAt = this.clock.now();
    this.admitting++;
    let matches: ReadonlyMap<string, number> | undefined;
    try {
      matches = await this.lookup(input, serving.map((v) => v.info.workerId), call.signal);
    } finally {
      this.admitting--;
    }
    if (call.signal?.aborted) throw abortError(call);
    const placement = await this.enqueue({ input, matches, startedAt }, call);
    if (call.signal?.aborted) {
      // The caller left between grant and reply: nobody will release this lease.
      this.release(placement.leaseId);
      throw abortError(call);
    }
    return placement;
  }

  /** Ends a lease and admits waiting requests; false when it was unknown or already ended. */
  release(leaseId: string): boolean {
    if (this.leases.release(leaseId) === undefined) return false;
    this.drain();
    return true;
  }

  /** Replaces the fleet with a full listing; leases on workers that left are dropped. */
  setWorkers(workers: readonly WorkerInfo[]): void {
    for (const id of this.registry.replaceAll(workers)) this.dropLeases(id);
    this.drain();
  }

  /** Applies one fleet change (DEAD removes the worker and its leases). */
  updateWorker(worker: WorkerInfo): void {
    if (this.registry.upsert(worker)) this.dropLeases(worker.workerId);
    this.drain();
  }

  applyLoad(workerId: string, load: WorkerLoadReport): void {
    this.registry.applyLoad(workerId, load);
  }

  stats(): SchedulerStats {
    return {
      queued: this.queue.size,
      queueCapacity: this.queue.capacity,
      activeLeases: this.leases.size,
      workers: this.registry.views().map((v) => ({
        workerId: v.info.workerId,
        activeLeases: this.leases.activeOn(v.info.workerId),
        capacity: v.capacity,
        kvUsage: v.load?.kvUsage ?? 0,
      })),
      admittedTotal: this.admitted,
      rejectedTotal: this.rejected,
      cacheAwareDecisions: this.cacheAware,
      loadOnlyDecisions: this.loadOnly,
    };
  }

  /** Fails every waiting request with UNAVAILABLE and forgets every lease. */
  close(): void {
    this.closed = true;
    for (const p of this.queue.items()) {
      if (p.ticket !== undefined) this.queue.remove(p.ticket);
      p.dispose();
      p.reject(unavailable('scheduler is shutting down'));
    }
    this.leases.clear();
  }

  private async lookup(input: ScheduleInput, workerIds: string[], signal: AbortSignal | undefined): Promise<ReadonlyMap<string, number> | undefined> {
    if (input.blockHashes.length === 0) return new Map();
    try {
      return await this.deps.matcher.match({ model: input.model, blockHashes: input.blockHashes, workerIds }, signal);
    } catch (err) {
      this.log.debug({ reason: MeshError.from(err).toString() }, 'kv directory unavailable; routing by load');
      return undefined;
    }
  }

  private enqueue(base: Pick<Pending, 'input' | 'matches' | 'startedAt'>, call: ScheduleCall): Promise<Placement> {
    return new Promise<Placement>((resolve, reject) => {
      const waitMs = call.deadline !== undefined ? call.deadline.getTime() - Date.now() : this.options.defaultQueueTimeoutMs;
      if (waitMs <= 0) return reject(deadlineError());
      const pending: Pending = { ...base, resolve, reject, ticket: undefined, dispose: () => {} };
      pending.ticket = this.queue.push(base.input.tenantId, pending);
      if (pending.ticket === undefined) {
        this.rejected++;
        return reject(resourceExhausted(`scheduler queue is full (${this.queue.capacity} waiting)`));
      }
      this.admitted++;
      const fail = (err: MeshError): void => {
        if (pending.ticket === undefined || !this.queue.remove(pending.ticket)) return;
        pending.dispose();
        reject(err);
      };
      const timer = setTimeout(() => fail(deadlineError()), waitMs);
      const onAbort = (): void => fail(abortError(call));
      call.signal?.addEventListener('abort', onAbort, { once: true });
      pending.dispose = () => {
        clearTimeout(timer);
        call.signal?.removeEventListener('abort', onAbort);
      };
      this.drain();
    });
  }

  private drain(): void {
    this.queue.drain((p) => this.tryPlace(p), (p) => p.input.model);
  }

  private tryPlace(p: Pending): boolean {
    const { input, matches } = p;
    const decision = this.deps.router.route({ model: input.model, promptBlocks: input.blockHashes.length, matches }, this.candidates());
    if (decision === undefined) return false;
    const { workerId, address } = decision.candidate;
    const lease = this.leases.grant({ workerId, requestId: input.requestId, tenantId: input.tenantId, model: input.model });
    if (decision.mode === 'cache-aware') this.cacheAware++;
    else this.loadOnly++;
    p.dispose();
    p.resolve({
      leaseId: lease.id,
      workerId,
      workerAddress: address,
      predictedCachedBlocks: matches?.get(workerId) ?? 0,
      queueMs: this.clock.now() - p.startedAt,
      routingMode: decision.mode,
    });
    return true;
  }

  private candidates(): Candidate[] {
    return this.registry.views().map((v) => ({
      workerId: v.info.workerId,
      address: v.info.address,
      models: v.info.models,
      ready: v.info.state === 'ready',
      active: this.leases.activeOn(v.info.workerId),
      capacity: v.capacity,
      waiting: v.load?.waiting ?? 0,
      kvUsage: v.load?.kvUsage ?? 0,
    }));
  }

  private dropLeases(workerId: string): void {
    const dropped = this.leases.dropWorker(workerId);
    if (dropped.length > 0) this.log.warn({ worker_id: workerId, leases: dropped.length }, 'worker left the fleet; its leases were dropped');
  }

  private onExpire(lease: Lease): void {
    this.log.warn({ lease_id: lease.id, worker_id: lease.workerId, request_id: lease.requestId }, 'lease expired without release');
    this.drain();
  }
}
