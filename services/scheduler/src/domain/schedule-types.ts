import { Code, MeshError } from '@infermesh/errors';
import type { RoutingMode } from '../routing/router.js';

export interface SchedulerCoreOptions {
  /** Requests that may wait at once, across tenants; beyond it Schedule fails RESOURCE_EXHAUSTED. */
  queueCapacity: number;
  /** Lease lifetime without a Release, ms: the safety net against a lost ingress. */
  leaseTtlMs: number;
  /** Longest queue wait of a call that carries no deadline, ms. */
  defaultQueueTimeoutMs: number;
  /** Slots assumed for a worker that reports max_num_seqs = 0. */
  fallbackCapacity: number;
}

export interface ScheduleInput {
  readonly requestId: string;
  readonly tenantId: string;
  readonly model: string;
  /** Prompt block hashes (tokenizer.v1 scheme); empty: no cache-aware scoring possible. */
  readonly blockHashes: readonly bigint[];
}

/** The caller's bounds: aborting the signal removes the request from the queue at once. */
export interface ScheduleCall {
  readonly signal?: AbortSignal;
  readonly deadline?: Date;
}

export interface Placement {
  readonly leaseId: string;
  readonly workerId: string;
  readonly workerAddress: string;
  readonly predictedCachedBlocks: number;
  /** Time from admission to the lease, ms (includes the directory lookup). */
  readonly queueMs: number;
  readonly routingMode: RoutingMode;
}

export interface SchedulerStats {
  readonly queued: number;
  readonly queueCapacity: number;
  readonly activeLeases: number;
  readonly workers: ReadonlyArray<{ workerId: string; activeLeases: number; capacity: number; kvUsage: number }>;
  readonly admittedTotal: number;
  readonly rejectedTotal: number;
  readonly cacheAwareDecisions: number;
  readonly loadOnlyDecisions: number;
}

/** DEADLINE_EXCEEDED for a request whose deadline passed in the queue. */
export function deadlineError(): MeshError {
  return new MeshError(Code.DeadlineExceeded, 'deadline exceeded while waiting in the scheduler queue');
}

/** DEADLINE_EXCEEDED when the deadline caused the abort, else CANCELLED. */
export function abortError(call: ScheduleCall): MeshError {
  const reason: unknown = call.signal?.reason;
  const timedOut = (call.deadline !== undefined && Date.now() >= call.deadline.getTime()) || (reason instanceof Error && reason.name === 'TimeoutError');
  return timedOut ? deadlineError() : new MeshError(Code.Cancelled, 'request cancelled while waiting in the scheduler queue');
}
