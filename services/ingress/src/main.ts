import { TenantDirectory, parseApiKeySpec } from '@infermesh/auth';
import { envInt, envPort, envString } from '@infermesh/config';
import { FileEventLog, Producer } from '@infermesh/event-log';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultIngressOptions, startIngress } from './index.js';

// Standalone entry. Env: INFERMESH_HOST, INFERMESH_GRPC_PORT, INFERMESH_HTTP_PORT,
// INFERMESH_TOKENIZER_ADDRESS, INFERMESH_SCHEDULER_ADDRESS, INFERMESH_EVENT_LOG_DIR (required),
// INFERMESH_INGRESS_PRODUCER (event-log producer name, unique per instance), INFERMESH_API_KEYS
// ("tenant:key,..."), INFERMESH_DEFAULT_MAX_TOKENS, INFERMESH_LOG_LEVEL.
const env = process.env;
const logger = createLogger({ service: 'ingress', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const d = defaultIngressOptions();
const logDir = envString(env, 'INFERMESH_EVENT_LOG_DIR', '');
if (logDir === '') throw new Error('INFERMESH_EVENT_LOG_DIR must name the event log directory');
const tenants = new TenantDirectory();
for (const { tenantId, apiKey } of parseApiKeySpec(envString(env, 'INFERMESH_API_KEYS', ''))) tenants.addKey(tenantId, apiKey);
const log = await FileEventLog.open(logDir);
const producer = await Producer.open(log, envString(env, 'INFERMESH_INGRESS_PRODUCER', d.producer));
const running = await startIngress(
  {
    ...d,
    host: envString(env, 'INFERMESH_HOST', d.host),
    grpcPort: envPort(env, 'INFERMESH_GRPC_PORT', d.grpcPort),
    httpPort: envPort(env, 'INFERMESH_HTTP_PORT', d.httpPort),
    tokenizerAddress: envString(env, 'INFERMESH_TOKENIZER_ADDRESS', d.tokenizerAddress),
    schedulerAddress: envString(env, 'INFERMESH_SCHEDULER_ADDRESS', d.schedulerAddress),
    defaultMaxTokens: envInt(env, 'INFERMESH_DEFAULT_MAX_TOKENS', d.defaultMaxTokens, 1, 1_000_000),
  },
  { events: producer, tenants, logger },
);
stopOnSignals(running, logger, async () => {
  await producer.close();
  await log.close();
});
