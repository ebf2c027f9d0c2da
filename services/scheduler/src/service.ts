import type { ControlBus } from '@infermesh/control-bus';
import { scheduler as pb } from '@infermesh/proto';
import { createServer, type BreakerState, type RunningService } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import { subscribeSchedulerFeeds } from './adapters/bus-feeds.js';
import { GrpcKvMatcher } from './adapters/grpc-kv-matcher.js';
import { GrpcWorkerSource } from './adapters/grpc-worker-source.js';
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
  const source = new GrpcWorkerSource(opts.supervisorAddress, opts.registryTimeoutMs);
  // A load-only policy would discard the directory's answer: skip the call (as the simulator does).
  const core = new Scheduler(opts, { matcher: policy.matchSource === 'none' ? noMatches : matcher, router, logger });
  const poller = new RegistryPoller(source, (workers) => core.setWorkers(workers), opts.registryPollMs, logger);
  const feeds = subscribeSchedulerFeeds(deps.bus, core, () => void poller.refresh(), logger);
  const server = createServer({ name: 'scheduler', host: opts.host, port: opts.port, logger });
  server.add(pb.Scheduler, schedulerHandlers(core, () => matcher.breakerState()));
  const teardown = (): void => {
    feeds.unsubscribe();
    poller.stop();
    core.close();
    matcher.close();
    source.close();
  };
  let address: string;
  try {
    await poller.start();
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
