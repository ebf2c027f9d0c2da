import { InProcessBus } from '@infermesh/control-bus';
import { envInt, envPort, envString } from '@infermesh/config';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultWorkerSupervisorOptions, startWorkerSupervisor } from './index.js';

// Standalone entry. Env: INFERMESH_WORKER_SUPERVISOR_{HOST,PORT,WORKERS,GPU,MAX_NUM_SEQS,KV_BLOCKS},
// INFERMESH_LOG_LEVEL. The in-process bus carries nothing to other processes: until a NATS bus
// exists the relayed events only reach subscribers in this process (the embedded launcher calls
// startWorkerSupervisor itself with the shared bus).
const env = process.env;
const logger = createLogger({ service: 'worker-supervisor', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const d = defaultWorkerSupervisorOptions();
const bus = new InProcessBus((err, subject) => logger.error({ err, subject }, 'bus handler failed'));
const running = await startWorkerSupervisor(
  {
    ...d,
    host: envString(env, 'INFERMESH_WORKER_SUPERVISOR_HOST', d.host),
    port: envPort(env, 'INFERMESH_WORKER_SUPERVISOR_PORT', d.port),
    workers: envInt(env, 'INFERMESH_WORKER_SUPERVISOR_WORKERS', d.workers, 0, 256),
    gpu: envString(env, 'INFERMESH_WORKER_SUPERVISOR_GPU', d.gpu),
    maxNumSeqs: envInt(env, 'INFERMESH_WORKER_SUPERVISOR_MAX_NUM_SEQS', d.maxNumSeqs, 1, 4096),
    kvBlocksPerWorker: envInt(env, 'INFERMESH_WORKER_SUPERVISOR_KV_BLOCKS', d.kvBlocksPerWorker, 1, 10_000_000),
    workerLogLevel: envString(env, 'INFERMESH_LOG_LEVEL', d.workerLogLevel),
  },
  { bus, logger },
);
logger.info({ address: running.address, workers: running.listWorkers().length }, 'worker-supervisor started');
stopOnSignals(running, logger, () => bus.close());
