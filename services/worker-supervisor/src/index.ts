import { fromBinary } from '@bufbuild/protobuf';
import { engine as wire, supervisor as sv } from '@infermesh/proto';
import { Subjects, type ControlBus, type WorkerRegistry } from '@infermesh/control-bus';
import { createServer, type RunningService, type ServiceImpl } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import { Fleet, type Worker } from './supervisor/fleet.js';
import { recordFleetChanges, type FleetEventSink } from './supervisor/fleet-events.js';
import { RegistryPublisher } from './supervisor/registry-publisher.js';
import { validateWorkerSupervisorOptions, type WorkerSupervisorOptions } from './supervisor/options.js';

export { defaultWorkerSupervisorOptions, validateWorkerSupervisorOptions, type WorkerSupervisorOptions } from './supervisor/options.js';
export type { Worker } from './supervisor/fleet.js';
export { fleetChangedDraft, type FleetEventSink } from './supervisor/fleet-events.js';
export { startWorker, defaultWorkerOptions, type WorkerOptions, type RunningWorker } from './worker/worker.js';
export * from './engine/index.js';

export interface WorkerSupervisorDeps {
  /** Where KV events, load reports and fleet changes are published. Owned by the caller. */
  bus: ControlBus;
  logger: Logger;
  /**
   * The shared worker registry (JetStream KV on the cluster profile) that schedulers route from;
   * READY workers are put and heart-beaten every `registryRefreshMs` (default 5000; keep it well
   * under the registry's TTL). Omitted on the embedded profile, where the scheduler lists the
   * fleet over gRPC.
   */
  registry?: WorkerRegistry;
  registryRefreshMs?: number;
  /** Records `fleet.changed` events (READY, DEAD) in the event log; omitted: not recorded. */
  events?: FleetEventSink;
}

/** The running supervisor: its gRPC server plus direct access to the registry. */
export type RunningWorkerSupervisor = RunningService & { listWorkers(includeDead?: boolean): Worker[] };

/**
 * Starts the supervisor's gRPC server (WorkerSupervisor.ListWorkers) and its fleet of worker
 * processes. Resolves once every slot's first worker is READY or has failed and is retrying.
 * `stop` kills the workers (SIGTERM, SIGKILL after the grace period) and then drains the server.
 */
export async function startWorkerSupervisor(
  options: WorkerSupervisorOptions,
  deps: WorkerSupervisorDeps,
): Promise<RunningWorkerSupervisor> {
  validateWorkerSupervisorOptions(options);
  const logger = deps.logger;
  let publisher: RegistryPublisher | undefined;
  const record = deps.events === undefined ? undefined : recordFleetChanges(deps.events, logger);
  const fleet = new Fleet(options, {
    bus: deps.bus,
    logger,
    onChange: (w) => {
      publisher?.changed(w);
      record?.(w);
    },
  });
  // Cancellations for this fleet's engines arrive on the bus (workerCancel subjects).
  const cancels = deps.bus.subscribe(Subjects.workerCancelAll, (data, subject) => {
    let req: wire.EngineCancelRequest;
    try {
      req = fromBinary(wire.EngineCancelRequestSchema, data);
    } catch {
      logger.warn({ subject }, 'dropping an undecodable cancellation');
      return;
    }
    fleet.cancel(subject.slice(subject.lastIndexOf('.') + 1), req);
  });
  if (deps.registry !== undefined) publisher = new RegistryPublisher(deps.registry, () => fleet.list(), deps.registryRefreshMs ?? 5000, logger);
  const reconnect = deps.bus.onConnectionChange((up) => up && publisher?.refreshNow());
  const impl: ServiceImpl<typeof sv.WorkerSupervisor> = {
    listWorkers: async (req) => ({ workers: fleet.list(req.includeDead) }),
  };
  const server = createServer({ name: 'worker-supervisor', host: options.host, port: options.port, logger });
  server.add(sv.WorkerSupervisor, impl);
  const { address } = await server.start();
  try {
    await fleet.start();
  } catch (err) {
    reconnect.unsubscribe();
    cancels.unsubscribe();
    await publisher?.stop();
    await fleet.stop();
    await server.shutdown(0);
    throw err;
  }
  return {
    name: 'worker-supervisor',
    address,
    listWorkers: (includeDead = false) => fleet.list(includeDead),
    async stop(graceMs = 5000) {
      reconnect.unsubscribe();
      cancels.unsubscribe();
      await publisher?.stop();
      await fleet.stop();
      await server.shutdown(graceMs);
    },
  };
}
