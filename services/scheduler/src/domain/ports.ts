/**
 * What the scheduler domain needs from the outside, as narrow interfaces: the fleet (a
 * WorkerSource), the KV directory (a KvMatcher) and time (a Clock). The gRPC adapters in
 * src/adapters implement the first two; tests pass in-process implementations.
 */

export type WorkerState = 'starting' | 'ready' | 'draining' | 'dead' | 'unknown';

/** One engine worker as the fleet registry reports it. */
export interface WorkerInfo {
  readonly workerId: string;
  /** host:port of the worker's Engine gRPC server. */
  readonly address: string;
  readonly models: readonly string[];
  readonly state: WorkerState;
  /** Sequences the engine runs concurrently; the scheduler's slot capacity for it (0: unknown). */
  readonly maxNumSeqs: number;
}

/** The latest load a worker reported on the control bus. */
export interface WorkerLoadReport {
  /** Sequences running in the engine's batch. */
  readonly running: number;
  /** Sequences waiting inside the engine (admitted but not yet scheduled). */
  readonly waiting: number;
  /** Fraction of the engine's KV blocks in use, 0..1. */
  readonly kvUsage: number;
}

/** The fleet registry. `list` rejects when the registry cannot be reached. */
export interface WorkerSource {
  list(signal?: AbortSignal): Promise<WorkerInfo[]>;
}

export interface KvMatchQuery {
  readonly model: string;
  readonly blockHashes: readonly bigint[];
  /** Workers to answer for; the answer may omit those holding nothing. */
  readonly workerIds: readonly string[];
}

/**
 * The KV directory: per worker, how many of the prompt's blocks it holds consecutively from
 * the first. Rejects when the directory is unavailable (error, timeout, open breaker); the
 * scheduler then routes by load alone and never fails the request for that reason.
 */
export interface KvMatcher {
  match(query: KvMatchQuery, signal?: AbortSignal): Promise<ReadonlyMap<string, number>>;
}

/** Milliseconds on a monotonic-enough clock; injected so tests control time. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };
