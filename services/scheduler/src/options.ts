import { invalidArgument } from '@infermesh/errors';
import type { BreakerOptions } from '@infermesh/rpc';
import { routingPolicies } from './routing/policies/register.js';

/** Configuration of the scheduler service. Environment variables are read only in main.ts. */
export interface SchedulerOptions {
  /** Interface the gRPC server binds (default 127.0.0.1). */
  host: string;
  /** gRPC port; 0 picks a free one (default 50053). */
  port: number;
  /** host:port of the kv-directory. */
  kvDirectoryAddress: string;
  /** host:port of the worker-supervisor (ListWorkers). */
  supervisorAddress: string;
  /** Requests that may wait at once (default 256). */
  queueCapacity: number;
  /**
   * Routing policy, a name of `routingPolicies` (default 'cache-aware'; also 'least-load',
   * 'round-robin', 'random'). It fixes the filters, scorer weights and picker. 'oracle' needs the
   * engines' true caches, which only the simulator has: INVALID_ARGUMENT here, as is an unknown name.
   */
  policy: string;
  /**
   * Scorer name -> weight (>= 0), replacing the policy's preset weights entirely; absent keeps the
   * preset (cache-aware: prefix-overlap 2, load 1, kv-pressure 0.5). Unknown scorer names are
   * INVALID_ARGUMENT at start-up.
   */
  weights?: Record<string, number>;
  /** Deadline of each kv-directory Match call, ms (default 250). */
  kvMatchTimeoutMs: number;
  /** Breaker of the kv-directory client (defaults: the rpc library's). */
  kvBreaker: Partial<BreakerOptions>;
  /** Full re-listing of the fleet every this many ms (default 500). */
  registryPollMs: number;
  /** Deadline of each ListWorkers call, ms (default 1000). */
  registryTimeoutMs: number;
  /** Lease lifetime without a Release, ms (default 10 min). */
  leaseTtlMs: number;
  /** Longest queue wait of a call without a deadline, ms (default 60 s). */
  defaultQueueTimeoutMs: number;
  /** Slots assumed for a worker reporting max_num_seqs = 0 (default 1). */
  fallbackCapacity: number;
  /** How long stop() waits for in-flight calls, ms (default 2000). */
  shutdownGraceMs: number;
}

export function defaultSchedulerOptions(): SchedulerOptions {
  return {
    host: '127.0.0.1',
    port: 50053,
    kvDirectoryAddress: '127.0.0.1:50054',
    supervisorAddress: '127.0.0.1:50055',
    queueCapacity: 256,
    policy: 'cache-aware',
    kvMatchTimeoutMs: 250,
    kvBreaker: {},
    registryPollMs: 500,
    registryTimeoutMs: 1000,
    leaseTtlMs: 10 * 60_000,
    defaultQueueTimeoutMs: 60_000,
    fallbackCapacity: 1,
    shutdownGraceMs: 2000,
  };
}

/** Throws INVALID_ARGUMENT naming the first bad option (scorer names and weights are checked by buildPolicy). */
export function validateSchedulerOptions(o: SchedulerOptions): SchedulerOptions {
  const positiveInt = (name: keyof SchedulerOptions, v: number): void => {
    if (!Number.isInteger(v) || v < 1) throw invalidArgument(`${name} must be a positive integer, got ${v}`, name);
  };
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535) throw invalidArgument(`port must be 0..65535, got ${o.port}`, 'port');
  if (o.kvDirectoryAddress === '') throw invalidArgument('kvDirectoryAddress is required', 'kvDirectoryAddress');
  if (o.supervisorAddress === '') throw invalidArgument('supervisorAddress is required', 'supervisorAddress');
  if (!Object.hasOwn(routingPolicies, o.policy) || routingPolicies[o.policy]!.matchSource === 'oracle') {
    const usable = Object.values(routingPolicies).filter((p) => p.matchSource !== 'oracle').map((p) => p.name);
    throw invalidArgument(`policy must be one of ${usable.join(', ')}, got ${JSON.stringify(o.policy)}`, 'policy');
  }
  positiveInt('queueCapacity', o.queueCapacity);
  positiveInt('kvMatchTimeoutMs', o.kvMatchTimeoutMs);
  positiveInt('registryPollMs', o.registryPollMs);
  positiveInt('registryTimeoutMs', o.registryTimeoutMs);
  positiveInt('leaseTtlMs', o.leaseTtlMs);
  positiveInt('defaultQueueTimeoutMs', o.defaultQueueTimeoutMs);
  positiveInt('fallbackCapacity', o.fallbackCapacity);
  if (!(o.shutdownGraceMs >= 0)) throw invalidArgument('shutdownGraceMs must be >= 0', 'shutdownGraceMs');
  return o;
}
