import type { EventDraft } from '@infermesh/event-log';
import { supervisor as sv } from '@infermesh/proto';
import type { Logger } from '@infermesh/telemetry';

/** Where fleet changes are recorded: a `Producer` of the event log (topic `infermesh.fleet.v1` on Kafka). */
export interface FleetEventSink {
  append(drafts: readonly EventDraft[]): Promise<unknown>;
}

const STATES: Record<number, string> = {
  [sv.WorkerState.STARTING]: 'starting',
  [sv.WorkerState.READY]: 'ready',
  [sv.WorkerState.DRAINING]: 'draining',
  [sv.WorkerState.DEAD]: 'dead',
};

/** The `fleet.changed` draft of a worker's new state; tenant and request are empty (not a request's event). */
export function fleetChangedDraft(worker: sv.Worker): EventDraft {
  return {
    tenantId: '',
    requestId: '',
    payload: {
      case: 'fleetChanged',
      value: { workerId: worker.workerId, state: STATES[worker.state] ?? 'unknown', models: [...worker.models], gpu: worker.gpu, slot: worker.slot, restarts: worker.restarts },
    },
  };
}

/**
 * Records each READY and DEAD transition in the event log, for audit (which worker served when)
 * and for consumers of the fleet topic. A failed append is logged and dropped: the control bus
 * and the registry, not the log, drive routing, so a log outage must not stall the fleet.
 */
export function recordFleetChanges(sink: FleetEventSink, logger: Logger): (worker: sv.Worker) => void {
  return (worker) => {
    sink.append([fleetChangedDraft(worker)]).catch((err: unknown) => logger.warn({ err, worker_id: worker.workerId }, 'fleet change not recorded in the event log'));
  };
}
