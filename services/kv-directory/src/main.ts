import { envInt, envPort, envString } from '@infermesh/config';
import { openControlPlane } from '@infermesh/control-bus';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultKvDirectoryOptions, startKvDirectory } from './index.js';

// Standalone entry. Env: INFERMESH_KV_DIRECTORY_HOST, INFERMESH_KV_DIRECTORY_PORT,
// INFERMESH_KV_DIRECTORY_SILENCE_MS (forget workers silent this long; 0 = never), INFERMESH_LOG_LEVEL.
// INFERMESH_NATS_URL (cluster profile): worker KV events from NATS. Unset: an in-process bus, which
// carries nothing between processes (the embedded launcher calls startKvDirectory itself instead).
const env = process.env;
const logger = createLogger({ service: 'kv-directory', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const defaults = defaultKvDirectoryOptions();
const plane = await openControlPlane({
  natsUrl: envString(env, 'INFERMESH_NATS_URL', ''),
  name: 'kv-directory',
  onHandlerError: (err, subject) => logger.error({ err, subject }, 'bus handler failed'),
});
const running = await startKvDirectory(
  {
    ...defaults,
    host: envString(env, 'INFERMESH_KV_DIRECTORY_HOST', defaults.host),
    port: envPort(env, 'INFERMESH_KV_DIRECTORY_PORT', defaults.port),
    workerSilenceTimeoutMs: envInt(env, 'INFERMESH_KV_DIRECTORY_SILENCE_MS', defaults.workerSilenceTimeoutMs),
  },
  { bus: plane.bus, logger },
);
stopOnSignals(running, logger, () => plane.close());
