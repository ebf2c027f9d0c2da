import { fromBinary } from '@bufbuild/protobuf';
import { Subjects, type ControlBus, type Subscription } from '@infermesh/control-bus';
import { engine, supervisor } from '@infermesh/proto';
import type { Logger } from '@infermesh/telemetry';
import type { Scheduler } from '../domain/scheduler.js';
import { toWorkerInfo } from './grpc-worker-source.js';

/**
 * Feeds the scheduler from the control bus: load reports from worker event batches (KV events in
 * the same batches are the kv-directory's business), and fleet changes, which are applied at once
 * and also trigger a full re-listing through `onFleetChange`. Malformed payloads are dropped.
 */
export function subscribeSchedulerFeeds(bus: ControlBus, scheduler: Scheduler, onFleetChange: () => void, logger: Logger): Subscription {
  const events = bus.subscribe(Subjects.workerEventsAll, (data) => {
    let batch: engine.WatchEventsResponse;
    try {
      batch = fromBinary(engine.WatchEventsResponseSchema, data);
    } catch (err) {
      logger.warn({ err }, 'dropping undecodable worker event batch');
      return;
    }
    for (const e of batch.events) {
      if (e.event.case !== 'load') continue;
      const r = e.event.value;
      const kvUsage = r.kvBlocksTotal > 0 ? r.kvBlocksUsed / r.kvBlocksTotal : 0;
      scheduler.applyLoad(e.workerId, { running: r.running, waiting: r.waiting, kvUsage });
    }
  });
  const fleet = bus.subscribe(Subjects.fleet, (data) => {
    let change: supervisor.FleetChange;
    try {
      change = fromBinary(supervisor.FleetChangeSchema, data);
    } catch (err) {
      logger.warn({ err }, 'dropping undecodable fleet change');
      return;
    }
    if (change.worker !== undefined) scheduler.updateWorker(toWorkerInfo(change.worker));
    onFleetChange();
  });
  return {
    unsubscribe: () => {
      events.unsubscribe();
      fleet.unsubscribe();
    },
  };
}
