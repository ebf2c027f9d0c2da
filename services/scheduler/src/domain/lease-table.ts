import { randomUUID } from 'node:crypto';

/** A slot reserved on one worker for one request, from grant until release, expiry or worker loss. */
export interface Lease {
  readonly id: string;
  readonly workerId: string;
  readonly requestId: string;
  readonly tenantId: string;
  readonly model: string;
  /** Wall-clock ms (Date.now()) of the grant, for diagnostics. */
  readonly grantedAtMs: number;
}

export type LeaseInit = Omit<Lease, 'id' | 'grantedAtMs'>;

/**
 * Active leases, counted per worker (the scheduler's own view of each worker's load). Every
 * lease carries a TTL timer as a safety net against an ingress that dies without releasing:
 * on expiry the lease is removed and `onExpire` is told. Timers are unref'd so a forgotten lease
 * never holds the process open.
 */
export class LeaseTable {
  private readonly leases = new Map<string, { lease: Lease; timer: NodeJS.Timeout }>();
  private readonly perWorker = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly onExpire: (lease: Lease) => void,
    private readonly newId: () => string = randomUUID,
  ) {}

  get size(): number {
    return this.leases.size;
  }

  grant(init: LeaseInit): Lease {
    const lease: Lease = { ...init, id: this.newId(), grantedAtMs: Date.now() };
    const timer = setTimeout(() => {
      if (this.take(lease.id) !== undefined) this.onExpire(lease);
    }, this.ttlMs);
    timer.unref();
    this.leases.set(lease.id, { lease, timer });
    this.perWorker.set(lease.workerId, (this.perWorker.get(lease.workerId) ?? 0) + 1);
    return lease;
  }

  /** Ends a lease; undefined when it is unknown or already ended (release is idempotent). */
  release(id: string): Lease | undefined {
    return this.take(id);
  }

  /** Ends every lease on the worker (it left the fleet); returns them. */
  dropWorker(workerId: string): Lease[] {
    const dropped: Lease[] = [];
    for (const { lease } of this.leases.values()) if (lease.workerId === workerId) dropped.push(lease);
    for (const lease of dropped) this.take(lease.id);
    return dropped;
  }

  activeOn(workerId: string): number {
    return this.perWorker.get(workerId) ?? 0;
  }

  /** Cancels every timer and forgets every lease (shutdown). */
  clear(): void {
    for (const { timer } of this.leases.values()) clearTimeout(timer);
    this.leases.clear();
    this.perWorker.clear();
  }

  private take(id: string): Lease | undefined {
    const entry = this.leases.get(id);
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    this.leases.delete(id);
    const n = (this.perWorker.get(entry.lease.workerId) ?? 1) - 1;
    if (n <= 0) this.perWorker.delete(entry.lease.workerId);
    else this.perWorker.set(entry.lease.workerId, n);
    return entry.lease;
  }
}
