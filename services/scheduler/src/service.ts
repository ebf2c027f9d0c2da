import type { ControlBus, Subscription, WorkerRegistry } from '@infermesh/control-bus';
import { unavailable } from '@infermesh/errors';
import { scheduler as pb } from '@infermesh/proto';
import { createServer, type BreakerState, type RunningService } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import { subscribeSchedulerFeeds } from './adapters/bus-feeds.js';
import { GrpcKvMatcher } from './adapters/grpc-kv-matcher.js';
import { GrpcWorkerSource } from './adapters/grpc-worker-source.js';
import { RegistryWorkerSource } from './adapters/registry-worker-source.js';
import type { KvMatcher } from './domain/ports.js';
import { RegistryPoller } from './domain/registry-poller.js';
import { Scheduler } from './domain/scheduler.js';
import { schedulerHandlers } from './handlers.js';
import { validateSchedulerOptions, type SchedulerOptions } from './options.js';
import { buildPolicy } from './routing/policies/register.js';

const noMatches: KvMatcher = { match: () => Promise.resolve(new Map()) };

export interface SchedulerDeps {
  /** Source of load reports and fleet changes. Owned by the caller: stop() unsubscribes, never closes it. */
  bus: ControlBus;
  logger: Logger;
  /**
   * The shared worker registry (cluster profile: a JetStream KV bucket with a TTL). When given,
   * the fleet is listed from it (and re-listed on every change it reports) instead of from the
   * supervisor over gRPC, so a worker whose supervisor vanished leaves routing by TTL.
   */
  registry?: WorkerRegistry;
}

/** A running scheduler; `kvBreakerState` exposes the kv-directory client's breaker for health checks. */
export interface RunningScheduler extends RunningService {
  kvBreakerState(): BreakerState;
}

/**
 * Starts the scheduler: lists the fleet once (a supervisor that is not up yet only delays
 * routing: requests fail UNAVAILABLE until workers appear), then serves gRPC.
 */
export async function startScheduler(options: SchedulerOptions, deps: SchedulerDeps): Promise<RunningScheduler> {
  const opts = validateSchedulerOptions(options);
  const logger = deps.logger.child({ component: 'scheduler' });
  const { policy, router, config: routing } = buildPolicy(opts.policy, opts.weights !== undefined ? { weights: opts.weights } : {});
  const matcher = new GrpcKvMatcher(opts.kvDirectoryAddress, { timeoutMs: opts.kvMatchTimeoutMs, breaker: opts.kvBreaker });
  const grpcSource = deps.registry === undefined ? new GrpcWorkerSource(opts.supervisorAddress, opts.registryTimeoutMs) : undefined;
  const registrySource = deps.registry === undefined ? undefined : new RegistryWorkerSource(deps.registry);
  const source = grpcSource ?? registrySource!;
  let registryWatch: Subscription | undefined;
  // A load-only policy would discard the directory's answer: skip the call (as the simulator does).
  // The directory is fed by the bus: while the bus is away its view is stale, so route by load.
  const busAware: KvMatcher = {
    match: (query, signal) => (deps.bus.isConnected() ? matcher.match(query, signal) : Promise.reject(unavailable('control bus disconnected'))),
  };
  const core = new Scheduler(opts, { matcher: policy.matchSource === 'none' ? noMatches : busAware, router, logger });
  const poller = new RegistryPoller(source, (workers) => core.setWorkers(workers), opts.registryPollMs, logger);
  const feeds = subscribeSchedulerFeeds(deps.bus, core, () => void poller.refresh(), logger);
  const server = createServer({ name: 'scheduler', host: opts.host, port: opts.port, logger });
  server.add(pb.Scheduler, schedulerHandlers(core, () => matcher.breakerState()));
  const teardown = (): void => {
    feeds.unsubscribe();
    poller.stop();
    core.close();
    matcher.close();
    grpcSource?.close();
    registryWatch?.unsubscribe();
  };
  let address: string;
  try {
    await poller.start();
    registryWatch = await registrySource?.watch(() => void poller.refresh());
    ({ address } = await server.start());
  } catch (err) {
    teardown();
    throw err;
  }
  logger.info({ address, queue_capacity: opts.queueCapacity, policy: opts.policy, weights: routing.weights }, 'scheduler listening');
  return {
    name: 'scheduler',
    address,
    kvBreakerState: () => matcher.breakerState(),
    async stop(graceMs = opts.shutdownGraceMs) {
      feeds.unsubscribe();
      poller.stop();
      core.close();
      await server.shutdown(graceMs);
      teardown();
    },
  };
}
