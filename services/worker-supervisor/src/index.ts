import { supervisor as sv } from '@infermesh/proto';
import type { ControlBus } from '@infermesh/control-bus';
import { createServer, type RunningService, type ServiceImpl } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import { Fleet, type Worker } from './supervisor/fleet.js';
import { validateWorkerSupervisorOptions, type WorkerSupervisorOptions } from './supervisor/options.js';

export { defaultWorkerSupervisorOptions, validateWorkerSupervisorOptions, type WorkerSupervisorOptions } from './supervisor/options.js';
export type { Worker } from './supervisor/fleet.js';
export { startWorker, defaultWorkerOptions, type WorkerOptions, type RunningWorker } from './worker/worker.js';
export * from './engine/index.js';

/** The running supervisor: its gRPC server plus direct access to the registry. */
export type RunningWorkerSupervisor = RunningService & { listWorkers(includeDead?: boolean): Worker[] };

/**
 * Starts the supervisor's gRPC server (WorkerSupervisor.ListWorkers) and its fleet of worker
 * processes. Resolves once every slot's first worker is READY or has failed and is retrying.
 * `stop` kills the workers (SIGTERM, SIGKILL after the grace period) and then drains the server.
 */
export async function startWorkerSupervisor(
  options: WorkerSupervisorOptions,
  deps: { bus: ControlBus; logger: Logger },
): Promise<RunningWorkerSupervisor> {
  validateWorkerSupervisorOptions(options);
  const logger = deps.logger;
  const fleet = new Fleet(options, { bus: deps.bus, logger });
  const impl: ServiceImpl<typeof sv.WorkerSupervisor> = {
    listWorkers: async (req) => ({ workers: fleet.list(req.includeDead) }),
  };
  const server = createServer({ name: 'worker-supervisor', host: options.host, port: options.port, logger });
  server.add(sv.WorkerSupervisor, impl);
  const { address } = await server.start();
  try {
    await fleet.start();
  } catch (err) {
    await fleet.stop();
    await server.shutdown(0);
    throw err;
  }
  return {
    name: 'worker-supervisor',
    address,
    listWorkers: (includeDead = false) => fleet.list(includeDead),
    async stop(graceMs = 5000) {
      await fleet.stop();
      await server.shutdown(graceMs);
    },
  };
}
