import type { WorkerInfo, WorkerLoadReport } from './ports.js';

/** A worker as routing sees it: registry facts plus load. */
export interface WorkerView {
  readonly info: WorkerInfo;
  /** Slot capacity: max_num_seqs, or the fallback when the worker reports 0. */
  readonly capacity: number;
  /** The last load report, undefined until one arrives. */
  readonly load: WorkerLoadReport | undefined;
}

/**
 * The scheduler's copy of the fleet: workers from the supervisor (polls and fleet changes) and
 * their last load reports. DEAD workers are not kept. Leases are counted elsewhere (LeaseTable).
 */
export class WorkerRegistry {
  private readonly workers = new Map<string, { info: WorkerInfo; load: WorkerLoadReport | undefined }>();

  constructor(private readonly fallbackCapacity: number) {}

  /**
   * Replaces the fleet with a full listing. Returns the ids that left it (absent or DEAD), whose
   * leases the caller must drop.
   */
  replaceAll(list: readonly WorkerInfo[]): string[] {
    const next = new Map<string, WorkerInfo>();
    for (const info of list) if (info.state !== 'dead') next.set(info.workerId, info);
    const gone: string[] = [];
    for (const id of this.workers.keys()) if (!next.has(id)) gone.push(id);
    for (const id of gone) this.workers.delete(id);
    for (const [id, info] of next) this.workers.set(id, { info, load: this.workers.get(id)?.load });
    return gone;
  }

  /** Applies one change (a fleet event). Returns true when the worker left the fleet (DEAD). */
  upsert(info: WorkerInfo): boolean {
    if (info.state === 'dead') return this.workers.delete(info.workerId);
    this.workers.set(info.workerId, { info, load: this.workers.get(info.workerId)?.load });
    return false;
  }

  /** Records a load report; reports of workers not (yet) in the registry are ignored. */
  applyLoad(workerId: string, load: WorkerLoadReport): void {
    const entry = this.workers.get(workerId);
    if (entry !== undefined) entry.load = load;
  }

  /** READY workers serving the model. */
  readyFor(model: string): WorkerView[] {
    return this.views().filter((v) => v.info.state === 'ready' && v.info.models.includes(model));
  }

  views(): WorkerView[] {
    const out: WorkerView[] = [];
    for (const { info, load } of this.workers.values()) {
      out.push({ info, load, capacity: info.maxNumSeqs > 0 ? info.maxNumSeqs : this.fallbackCapacity });
    }
    return out;
  }

  get(workerId: string): WorkerView | undefined {
    const entry = this.workers.get(workerId);
    if (entry === undefined) return undefined;
    const { info, load } = entry;
    return { info, load, capacity: info.maxNumSeqs > 0 ? info.maxNumSeqs : this.fallbackCapacity };
  }
}
