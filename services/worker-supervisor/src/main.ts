import { openControlPlane } from '@infermesh/control-bus';
import { KafkaEventLog, Producer } from '@infermesh/event-log';
import { envInt, envPort, envString } from '@infermesh/config';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultWorkerSupervisorOptions, startWorkerSupervisor } from './index.js';

// Standalone entry. Env: INFERMESH_WORKER_SUPERVISOR_{HOST,PORT,WORKERS,GPU,MAX_NUM_SEQS,KV_BLOCKS},
// INFERMESH_LOG_LEVEL, INFERMESH_NATS_URL (cluster profile: events on NATS, workers in the JetStream
// registry; unset: an in-process bus that reaches no other process), INFERMESH_KAFKA_BROKERS with
// INFERMESH_WORKER_SUPERVISOR_OUTBOX_DIR (fleet.changed events to Kafka through a durable outbox;
// INFERMESH_WORKER_SUPERVISOR_PRODUCER names this instance's producer, unique per outbox).
const env = process.env;
const logger = createLogger({ service: 'worker-supervisor', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const d = defaultWorkerSupervisorOptions();
const plane = await openControlPlane({
  natsUrl: envString(env, 'INFERMESH_NATS_URL', ''),
  name: 'worker-supervisor',
  onHandlerError: (err, subject) => logger.error({ err, subject }, 'bus handler failed'),
});
const brokers = envString(env, 'INFERMESH_KAFKA_BROKERS', '');
const outboxDir = envString(env, 'INFERMESH_WORKER_SUPERVISOR_OUTBOX_DIR', '');
const log = brokers === '' || outboxDir === '' ? undefined : await KafkaEventLog.open({ brokers: brokers.split(','), outboxDir, clientId: 'infermesh-worker-supervisor' });
const events = log === undefined ? undefined : await Producer.open(log, envString(env, 'INFERMESH_WORKER_SUPERVISOR_PRODUCER', 'worker-supervisor/0'));
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
  { bus: plane.bus, logger, ...(plane.registry === undefined ? {} : { registry: plane.registry }), ...(events === undefined ? {} : { events }) },
);
logger.info({ address: running.address, workers: running.listWorkers().length }, 'worker-supervisor started');
stopOnSignals(running, logger, async () => {
  await events?.close();
  await log?.close();
  await plane.close();
});
