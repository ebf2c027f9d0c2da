import { envInt, envPort, envString } from '@infermesh/config';
import { InProcessBus } from '@infermesh/control-bus';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultSchedulerOptions, startScheduler } from './index.js';

// Standalone entry. Env: INFERMESH_SCHEDULER_HOST, INFERMESH_SCHEDULER_PORT, INFERMESH_SCHEDULER_QUEUE_CAPACITY,
// INFERMESH_KV_DIRECTORY_ADDRESS, INFERMESH_SUPERVISOR_ADDRESS, INFERMESH_LOG_LEVEL,
// INFERMESH_SCHEDULER_POLICY (a routing policy name, default cache-aware; an unknown one fails start-up).
// The in-process bus carries nothing between processes: until a NATS bus exists the scheduler run
// this way learns the fleet by polling only (the embedded launcher calls startScheduler itself).
const env = process.env;
const logger = createLogger({ service: 'scheduler', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const d = defaultSchedulerOptions();
const bus = new InProcessBus((err, subject) => logger.error({ err, subject }, 'bus handler failed'));
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
  { bus, logger },
);
stopOnSignals(running, logger, () => bus.close());
