import { envInt, envPort, envString } from '@infermesh/config';
import { InProcessBus } from '@infermesh/control-bus';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultKvDirectoryOptions, startKvDirectory } from './index.js';

// Standalone entry. Env: INFERMESH_KV_DIRECTORY_HOST, INFERMESH_KV_DIRECTORY_PORT,
// INFERMESH_KV_DIRECTORY_SILENCE_MS (forget workers silent this long; 0 = never), INFERMESH_LOG_LEVEL.
// The in-process bus carries nothing between processes: until a NATS bus exists this entry only
// suits a process that also hosts the publishers (the embedded launcher calls startKvDirectory itself).
const env = process.env;
const logger = createLogger({ service: 'kv-directory', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const defaults = defaultKvDirectoryOptions();
const bus = new InProcessBus((err, subject) => logger.error({ err, subject }, 'bus handler failed'));
const running = await startKvDirectory(
  {
    ...defaults,
    host: envString(env, 'INFERMESH_KV_DIRECTORY_HOST', defaults.host),
    port: envPort(env, 'INFERMESH_KV_DIRECTORY_PORT', defaults.port),
    workerSilenceTimeoutMs: envInt(env, 'INFERMESH_KV_DIRECTORY_SILENCE_MS', defaults.workerSilenceTimeoutMs),
  },
  { bus, logger },
);
stopOnSignals(running, logger, () => bus.close());
