import { parseArgs } from 'node:util';
import { createLogger } from '@infermesh/telemetry';
import { defaultWorkerOptions, startWorker, type WorkerOptions } from './worker/worker.js';

/**
 * Entry point of one engine worker process, forked by the supervisor (or run by hand).
 * Flags: --worker-id --gpu --max-num-seqs --kv-blocks --host --port --load-interval-ms; each
 * falls back to INFERMESH_WORKER_<NAME> (e.g. INFERMESH_WORKER_PORT), then to the default.
 * With an IPC channel it reports `{ type: 'ready', port, pid }` to its parent and exits when the
 * parent goes away, so a crashed supervisor never leaves orphaned engines.
 */
const defaults = defaultWorkerOptions();
const { values } = parseArgs({
  options: {
    'worker-id': { type: 'string' },
    gpu: { type: 'string' },
    'max-num-seqs': { type: 'string' },
    'kv-blocks': { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'load-interval-ms': { type: 'string' },
  },
  strict: true,
});

function pick(flag: keyof typeof values, fallback: string): string {
  const env = process.env[`INFERMESH_WORKER_${flag.toUpperCase().replaceAll('-', '_')}`];
  return values[flag] ?? (env === undefined || env === '' ? fallback : env);
}

function int(flag: keyof typeof values, fallback: number): number {
  const raw = pick(flag, String(fallback));
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} must be a non-negative integer, got "${raw}"`);
  return n;
}

const options: WorkerOptions = {
  workerId: pick('worker-id', defaults.workerId),
  gpu: pick('gpu', defaults.gpu),
  maxNumSeqs: int('max-num-seqs', defaults.maxNumSeqs),
  kvBlocks: int('kv-blocks', defaults.kvBlocks),
  host: pick('host', defaults.host),
  port: int('port', defaults.port),
  loadReportIntervalMs: int('load-interval-ms', defaults.loadReportIntervalMs),
};

const logger = createLogger({ service: 'worker', level: process.env['INFERMESH_LOG_LEVEL'] ?? 'info' }).child({ worker_id: options.workerId });
const worker = await startWorker(options, { logger });

let stopping = false;
async function stop(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ reason }, 'worker stopping');
  await worker.stop(1000).catch((err: unknown) => logger.error({ err }, 'worker stop failed'));
  process.exit(0);
}

process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
if (process.send !== undefined) {
  process.on('disconnect', () => void stop('parent disconnected'));
  process.send({ type: 'ready', port: worker.port, pid: process.pid });
}
