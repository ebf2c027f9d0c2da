import { invalidArgument } from '@infermesh/errors';
import { GPU_PROFILES } from '../engine/index.js';

/** Configuration of the supervisor and the fleet it runs. */
export interface WorkerSupervisorOptions {
  /** Interface of the supervisor's and the workers' gRPC servers. */
  host: string;
  /** Port of the supervisor's gRPC server (0 picks one); workers always take ephemeral ports. */
  port: number;
  /** Fleet size: worker slots kept filled. */
  workers: number;
  /** GPU profile every worker simulates (a key of GPU_PROFILES). */
  gpu: string;
  maxNumSeqs: number;
  /** KV cache per worker, 16-token blocks (4096 blocks = 64K tokens = 8 GiB of Llama-3.1-8B KV). */
  kvBlocksPerWorker: number;
  /** Period of each worker's load reports, ms. */
  loadReportIntervalMs: number;
  /** First restart delay after a death, ms; doubles per consecutive failure of the slot. */
  restartBackoffInitialMs: number;
  restartBackoffMaxMs: number;
  /** A worker READY this long before dying resets its slot's backoff. */
  stableAfterMs: number;
  /** A worker that does not report ready in this time is killed and counted as a failure. */
  readyTimeoutMs: number;
  /** SIGTERM-to-SIGKILL grace on stop, ms. */
  shutdownGraceMs: number;
  /** pino level of the worker processes. */
  workerLogLevel: string;
  /** Path of the compiled worker entry; default dist/worker-main.js of this package. */
  workerEntry?: string;
}

/** Four H100 workers of 4096 blocks each, 64 sequences per batch, quick restarts. */
export function defaultWorkerSupervisorOptions(): WorkerSupervisorOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    workers: 4,
    gpu: 'H100-SXM-80GB',
    maxNumSeqs: 64,
    kvBlocksPerWorker: 4096,
    loadReportIntervalMs: 1000,
    restartBackoffInitialMs: 250,
    restartBackoffMaxMs: 30_000,
    stableAfterMs: 30_000,
    readyTimeoutMs: 15_000,
    shutdownGraceMs: 3000,
    workerLogLevel: 'info',
  };
}

/** Returns the options or throws INVALID_ARGUMENT naming the bad one. */
export function validateWorkerSupervisorOptions(o: WorkerSupervisorOptions): WorkerSupervisorOptions {
  const int = (v: number, name: string, min: number): void => {
    if (!Number.isInteger(v) || v < min) throw invalidArgument(`${name} must be an integer >= ${min}, got ${v}`, name);
  };
  int(o.port, 'port', 0);
  int(o.workers, 'workers', 0);
  int(o.maxNumSeqs, 'maxNumSeqs', 1);
  int(o.kvBlocksPerWorker, 'kvBlocksPerWorker', 1);
  int(o.loadReportIntervalMs, 'loadReportIntervalMs', 0);
  int(o.restartBackoffInitialMs, 'restartBackoffInitialMs', 0);
  int(o.restartBackoffMaxMs, 'restartBackoffMaxMs', o.restartBackoffInitialMs);
  int(o.readyTimeoutMs, 'readyTimeoutMs', 1);
  int(o.shutdownGraceMs, 'shutdownGraceMs', 0);
  if (GPU_PROFILES[o.gpu] === undefined) throw invalidArgument(`unknown gpu ${JSON.stringify(o.gpu)}`, 'gpu');
  return o;
}
