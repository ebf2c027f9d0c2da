import { InProcessBus } from '@infermesh/control-bus';
import { createLogger } from '@infermesh/telemetry';
import { defaultKvDirectoryOptions, startKvDirectory } from './index.js';

// Standalone entry. Env: INFERMESH_KV_DIRECTORY_HOST, INFERMESH_KV_DIRECTORY_PORT, INFERMESH_LOG_LEVEL.
// The in-process bus carries nothing between processes: until a NATS bus exists this entry only
// suits a process that also hosts the publishers (the embedded launcher calls startKvDirectory itself).
const env = process.env;
const logger = createLogger({ service: 'kv-directory', level: env['INFERMESH_LOG_LEVEL'] ?? 'info' });
const defaults = defaultKvDirectoryOptions();
const bus = new InProcessBus((err, subject) => logger.error({ err, subject }, 'bus handler failed'));
const running = await startKvDirectory(
  {
    ...defaults,
    host: env['INFERMESH_KV_DIRECTORY_HOST'] ?? defaults.host,
    port: env['INFERMESH_KV_DIRECTORY_PORT'] === undefined ? defaults.port : Number(env['INFERMESH_KV_DIRECTORY_PORT']),
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
