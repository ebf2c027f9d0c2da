// Test-only helpers shared by the scheduler's unit specs (not exported from the package).
import { unavailable } from '@infermesh/errors';
import { createLogger } from '@infermesh/telemetry';
import { buildRouter, defaultRouterConfig } from '../routing/register.js';
import type { KvMatcher, KvMatchQuery, WorkerInfo } from './ports.js';
import { Scheduler } from './scheduler.js';
import type { SchedulerCoreOptions } from './schedule-types.js';

/** A KvMatcher answering from a fixed table, or failing like an unreachable directory. */
export class TableMatcher implements KvMatcher {
  failing = false;
  readonly queries: KvMatchQuery[] = [];
  constructor(public table: Map<string, number> = new Map()) {}
  async match(query: KvMatchQuery): Promise<ReadonlyMap<string, number>> {
    this.queries.push(query);
    if (this.failing) throw unavailable('kv-directory is unavailable');
    return new Map(this.table);
  }
}

export function worker(workerId: string, maxNumSeqs = 1, models: string[] = ['m']): WorkerInfo {
  return { workerId, address: `10.0.0.1:${workerId}`, models, state: 'ready', maxNumSeqs };
}

export function newScheduler(options: Partial<SchedulerCoreOptions> = {}, matcher: KvMatcher = new TableMatcher()): Scheduler {
  return new Scheduler(
    { queueCapacity: 8, leaseTtlMs: 60_000, defaultQueueTimeoutMs: 10_000, fallbackCapacity: 1, ...options },
    { matcher, router: buildRouter(defaultRouterConfig()), logger: createLogger({ service: 'scheduler-test', level: 'silent' }) },
  );
}

/** Lets pending admissions (their directory lookup) finish. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

export const req = (requestId: string, tenantId = 't', blockHashes: bigint[] = []) => ({ requestId, tenantId, model: 'm', blockHashes });
