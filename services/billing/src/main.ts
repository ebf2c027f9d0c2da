import { TenantDirectory, parseApiKeySpec } from '@infermesh/auth';
import { envInt, envPort, envString } from '@infermesh/config';
import { FileEventLog } from '@infermesh/event-log';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultBillingOptions, startBilling } from './index.js';

// Standalone entry. Env:
//   INFERMESH_BILLING_HOST, INFERMESH_BILLING_PORT, INFERMESH_BILLING_DATA_DIR (PGlite directory; unset = in memory),
//   INFERMESH_BILLING_BATCH_SIZE, INFERMESH_BILLING_ADMIN_TOKEN, INFERMESH_EVENT_LOG_DIR (required; opened read-only),
//   INFERMESH_API_KEYS ("tenant:key,tenant:key"; stop-gap until the shared tenant configuration exists),
//   INFERMESH_LOG_LEVEL.
// The embedded launcher calls startBilling itself with the shared log and the mesh's authenticator.
const env = process.env;
const logger = createLogger({ service: 'billing', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const d = defaultBillingOptions();
const logDir = envString(env, 'INFERMESH_EVENT_LOG_DIR', '');
if (logDir === '') throw new Error('INFERMESH_EVENT_LOG_DIR must name the event log directory');
const tenants = new TenantDirectory();
for (const { tenantId, apiKey } of parseApiKeySpec(envString(env, 'INFERMESH_API_KEYS', ''))) tenants.addKey(tenantId, apiKey);
const log = await FileEventLog.open(logDir, { readOnly: true });
const dataDir = envString(env, 'INFERMESH_BILLING_DATA_DIR', '');
const adminToken = envString(env, 'INFERMESH_BILLING_ADMIN_TOKEN', '');
const running = await startBilling(
  {
    ...d,
    host: envString(env, 'INFERMESH_BILLING_HOST', d.host),
    port: envPort(env, 'INFERMESH_BILLING_PORT', d.port),
    dataDir: dataDir === '' ? undefined : dataDir,
    batchSize: envInt(env, 'INFERMESH_BILLING_BATCH_SIZE', d.batchSize, 1, 5000),
    adminToken: adminToken === '' ? undefined : adminToken,
  },
  { log, logger, authenticate: (h) => tenants.authenticateHeader(h) },
);
logger.info({ address: running.address }, 'billing started');
stopOnSignals(running, logger, () => log.close());
