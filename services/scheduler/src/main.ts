import { envInt, envPort, envString } from '@infermesh/config';
import { openControlPlane } from '@infermesh/control-bus';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultSchedulerOptions, startScheduler } from './index.js';

// Standalone entry. Env: INFERMESH_SCHEDULER_HOST, INFERMESH_SCHEDULER_PORT, INFERMESH_SCHEDULER_QUEUE_CAPACITY,
// INFERMESH_KV_DIRECTORY_ADDRESS, INFERMESH_SUPERVISOR_ADDRESS, INFERMESH_LOG_LEVEL,
// INFERMESH_SCHEDULER_POLICY (a routing policy name, default cache-aware; an unknown one fails start-up).
// INFERMESH_NATS_URL (cluster profile): load reports, KV events and fleet changes on NATS, the fleet
// from the JetStream worker registry. Unset: an in-process bus, which carries nothing between
// processes, so the fleet is polled from the supervisor over gRPC and routing is load-only.
const env = process.env;
const logger = createLogger({ service: 'scheduler', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const d = defaultSchedulerOptions();
const plane = await openControlPlane({
  natsUrl: envString(env, 'INFERMESH_NATS_URL', ''),
  name: 'scheduler',
  onHandlerError: (err, subject) => logger.error({ err, subject }, 'bus handler failed'),
  onConnectionChange: (up) => (up ? logger.info('control bus back; cache-aware routing resumes') : logger.warn('control bus lost; routing by load only until it is back')),
});
const running = await startScheduler(
  {
    ...d,
    host: envString(env, 'INFERMESH_SCHEDULER_HOST', d.host),
    port: envPort(env, 'INFERMESH_SCHEDULER_PORT', d.port),
    queueCapacity: envInt(env, 'INFERMESH_SCHEDULER_QUEUE_CAPACITY', d.queueCapacity, 1, 1_000_000),
    kvDirectoryAddress: envString(env, 'INFERMESH_KV_DIRECTORY_ADDRESS', d.kvDirectoryAddress),
    supervisorAddress: envString(env, 'INFERMESH_SUPERVISOR_ADDRESS', d.supervisorAddress),
    policy: envString(env, 'INFERMESH_SCHEDULER_POLICY', d.policy),
  },
  { bus: plane.bus, logger, ...(plane.registry === undefined ? {} : { registry: plane.registry }) },
);
stopOnSignals(running, logger, () => plane.close());
