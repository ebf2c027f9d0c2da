import { create, toBinary } from '@bufbuild/protobuf';
import { Subjects, type ControlBus } from '@infermesh/control-bus';
import { engine } from '@infermesh/proto';
import type { CancelNotifier } from './domain/ports.js';

/** Cancellations of placed requests published to the worker's cancel subject (its supervisor relays them). */
export function busCancels(bus: ControlBus): CancelNotifier {
  return (workerId, requestId, reason) => {
    bus.publish(Subjects.workerCancel(workerId), toBinary(engine.EngineCancelRequestSchema, create(engine.EngineCancelRequestSchema, { requestId, reason })));
  };
}
