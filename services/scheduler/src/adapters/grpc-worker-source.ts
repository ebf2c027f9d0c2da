import { supervisor } from '@infermesh/proto';
import { createClient, type Client } from '@infermesh/rpc';
import type { WorkerInfo, WorkerSource, WorkerState } from '../domain/ports.js';

/** WorkerSource over the worker-supervisor's gRPC ListWorkers (live workers only). */
export class GrpcWorkerSource implements WorkerSource {
  private readonly client: Client<typeof supervisor.WorkerSupervisor>;

  constructor(address: string, private readonly timeoutMs: number) {
    this.client = createClient(supervisor.WorkerSupervisor, address, { name: 'worker-supervisor', timeoutMs });
  }

  async list(signal?: AbortSignal): Promise<WorkerInfo[]> {
    const res = await this.client.listWorkers({ includeDead: false }, signal === undefined ? {} : { signal });
    return res.workers.map(toWorkerInfo);
  }

  close(): void {
    this.client.close();
  }
}

/** Wire worker to domain worker. */
export function toWorkerInfo(w: supervisor.Worker): WorkerInfo {
  return { workerId: w.workerId, address: w.address, models: w.models, state: toState(w.state), maxNumSeqs: w.maxNumSeqs };
}

function toState(s: supervisor.WorkerState): WorkerState {
  switch (s) {
    case supervisor.WorkerState.STARTING:
      return 'starting';
    case supervisor.WorkerState.READY:
      return 'ready';
    case supervisor.WorkerState.DRAINING:
      return 'draining';
    case supervisor.WorkerState.DEAD:
      return 'dead';
    default:
      return 'unknown';
  }
}
