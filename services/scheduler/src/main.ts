import { InProcessBus } from '@infermesh/control-bus';
import { createLogger } from '@infermesh/telemetry';
import { defaultSchedulerOptions, startScheduler } from './index.js';

// Standalone entry. Env: INFERMESH_SCHEDULER_HOST, INFERMESH_SCHEDULER_PORT, INFERMESH_SCHEDULER_QUEUE_CAPACITY,
// INFERMESH_KV_DIRECTORY_ADDRESS, INFERMESH_SUPERVISOR_ADDRESS, INFERMESH_LOG_LEVEL.
// The in-process bus carries nothing between processes: until a NATS bus exists the scheduler run
// this way learns the fleet by polling only (the embedded launcher calls startScheduler itself).
const env = process.env;
const logger = createLogger({ service: 'scheduler', level: env['INFERMESH_LOG_LEVEL'] ?? 'info' });
const d = defaultSchedulerOptions();
const num = (name: string, fallback: number): number => (env[name] === undefined ? fallback : Number(env[name]));
const bus = new InProcessBus((err, subject) => logger.error({ err, subject }, 'bus handler failed'));
const running = await startScheduler(
  {
    ...d,
    host: env['INFERMESH_SCHEDULER_HOST'] ?? d.host,
    port: num('INFERMESH_SCHEDULER_PORT', d.port),
    queueCapacity: num('INFERMESH_SCHEDULER_QUEUE_CAPACITY', d.queueCapacity),
    kvDirectoryAddress: env['INFERMESH_KV_DIRECTORY_ADDRESS'] ?? d.kvDirectoryAddress,
    supervisorAddress: env['INFERMESH_SUPERVISOR_ADDRESS'] ?? d.supervisorAddress,
  },
  { bus, logger },
);
const stop = (signal: string): void => {
  logger.info({ signal }, 'stopping');
  void running.stop().then(
    () => bus.close(),
    (err: unknown) => {
      logger.error({ err }, 'stop failed');
      process.exitCode = 1;
    },
  );
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
