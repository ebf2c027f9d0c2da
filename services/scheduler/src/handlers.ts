import { scheduler as pb } from '@infermesh/proto';
import type { BreakerState, ServiceImpl } from '@infermesh/rpc';
import type { Scheduler } from './domain/scheduler.js';

/** The Scheduler gRPC handlers: wire messages in, domain calls, wire messages out. */
export function schedulerHandlers(core: Scheduler, kvBreakerState: () => BreakerState): ServiceImpl<typeof pb.Scheduler> {
  return {
    async schedule(req, ctx) {
      const p = await core.schedule(
        { requestId: req.requestId !== '' ? req.requestId : ctx.requestId, tenantId: req.tenantId, model: req.model, blockHashes: req.blockHashes },
        ctx.deadline === undefined ? { signal: ctx.signal } : { signal: ctx.signal, deadline: ctx.deadline },
      );
      ctx.logger.debug({ lease_id: p.leaseId, worker_id: p.workerId, mode: p.routingMode, queue_ms: p.queueMs }, 'lease granted');
      return {
        leaseId: p.leaseId,
        workerId: p.workerId,
        workerAddress: p.workerAddress,
        predictedCachedBlocks: p.predictedCachedBlocks,
        queueMs: p.queueMs,
        routingMode: p.routingMode === 'cache-aware' ? pb.RoutingMode.CACHE_AWARE : pb.RoutingMode.LOAD_ONLY,
      };
    },
    release(req, ctx) {
      const released = core.release(req.leaseId);
      ctx.logger.debug({ lease_id: req.leaseId, outcome: pb.LeaseOutcome[req.outcome], released }, 'lease release');
      return { released };
    },
    getStats() {
      const s = core.stats();
      return {
        queued: s.queued,
        queueCapacity: s.queueCapacity,
        activeLeases: s.activeLeases,
        workers: s.workers.map((w) => ({ workerId: w.workerId, activeLeases: w.activeLeases, maxConcurrency: w.capacity, kvUsage: w.kvUsage })),
        admittedTotal: BigInt(s.admittedTotal),
        rejectedTotal: BigInt(s.rejectedTotal),
        cacheAwareDecisions: BigInt(s.cacheAwareDecisions),
        loadOnlyDecisions: BigInt(s.loadOnlyDecisions),
        kvDirectoryBreaker: kvBreakerState(),
      };
    },
  };
}
