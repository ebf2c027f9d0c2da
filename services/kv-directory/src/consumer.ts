import { fromBinary } from '@bufbuild/protobuf';
import { Subjects, type ControlBus, type Subscription } from '@infermesh/control-bus';
import { engine, supervisor } from '@infermesh/proto';
import type { Logger } from '@infermesh/telemetry';
import type { EventApplier, KvEvent } from './domain/event-applier.js';

/**
 * Feeds the directory from the control bus: worker event batches (`engine.WatchEventsResponse`)
 * into the applier, and fleet changes (`supervisor.FleetChange`) to forget DEAD workers. A
 * malformed payload is logged and dropped; handlers never throw into the bus.
 */
export function subscribeKvDirectory(bus: ControlBus, applier: EventApplier, logger: Logger): Subscription {
  const events = bus.subscribe(Subjects.workerEventsAll, (data, subject) => {
    let batch: engine.WatchEventsResponse;
    try {
      batch = fromBinary(engine.WatchEventsResponseSchema, data);
    } catch (err) {
      logger.warn({ err, subject }, 'dropping undecodable worker event batch');
      return;
    }
    for (const event of batch.events) applier.apply(toKvEvent(event));
  });
  const fleet = bus.subscribe(Subjects.fleet, (data) => {
    let change: supervisor.FleetChange;
    try {
      change = fromBinary(supervisor.FleetChangeSchema, data);
    } catch (err) {
      logger.warn({ err }, 'dropping undecodable fleet change');
      return;
    }
    const worker = change.worker;
    if (worker !== undefined && worker.state === supervisor.WorkerState.DEAD) {
      applier.forget(worker.workerId);
      logger.info({ worker_id: worker.workerId }, 'forgot dead worker');
    }
  });
  return {
    unsubscribe: () => {
      events.unsubscribe();
      fleet.unsubscribe();
    },
  };
}

/** Wire event to domain event; load reports and unknown kinds only consume their sequence number. */
export function toKvEvent(e: engine.EngineEvent): KvEvent {
  const base = { workerId: e.workerId, sequence: e.sequence };
  switch (e.event.case) {
    case 'stored':
      return { ...base, kind: 'stored', model: e.event.value.model, blockHashes: e.event.value.blockHashes };
    case 'removed':
      return { ...base, kind: 'removed', model: e.event.value.model, blockHashes: e.event.value.blockHashes };
    case 'allCleared':
      return { ...base, kind: 'cleared' };
    default:
      return { ...base, kind: 'other' };
  }
}
