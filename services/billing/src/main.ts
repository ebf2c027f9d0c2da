import { TenantDirectory, parseApiKeySpec } from '@infermesh/auth';
import { envInt, envPort, envString } from '@infermesh/config';
import { FileEventLog } from '@infermesh/event-log';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultBillingKafkaOptions, defaultBillingOptions, startBilling } from './index.js';

// Standalone entry. Env:
//   INFERMESH_DATABASE_URL (postgres://...; set = PostgreSQL ledger, else PGlite in INFERMESH_BILLING_DATA_DIR, unset = memory),
//   INFERMESH_KAFKA_BROKERS ("host:port,host:port"; set = consume infermesh.usage.v1 and publish infermesh.rated-usage.v1,
//     else INFERMESH_EVENT_LOG_DIR, the embedded file log, opened read-only),
//   INFERMESH_BILLING_HOST, INFERMESH_BILLING_PORT, INFERMESH_BILLING_BATCH_SIZE, INFERMESH_BILLING_ADMIN_TOKEN,
//   INFERMESH_API_KEYS ("tenant:key,tenant:key"), INFERMESH_LOG_LEVEL.
// The embedded launcher calls startBilling itself with the shared log and the mesh's authenticator.
const env = process.env;
const logger = createLogger({ service: 'billing', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const d = defaultBillingOptions();
const databaseUrl = envString(env, 'INFERMESH_DATABASE_URL', '');
const brokers = envString(env, 'INFERMESH_KAFKA_BROKERS', '').split(',').map((b) => b.trim()).filter((b) => b !== '');
const logDir = envString(env, 'INFERMESH_EVENT_LOG_DIR', '');
if (brokers.length === 0 && logDir === '') throw new Error('set INFERMESH_KAFKA_BROKERS, or INFERMESH_EVENT_LOG_DIR to the embedded event log directory');
const tenants = new TenantDirectory();
for (const { tenantId, apiKey } of parseApiKeySpec(envString(env, 'INFERMESH_API_KEYS', ''))) tenants.addKey(tenantId, apiKey);
const log = brokers.length === 0 ? await FileEventLog.open(logDir, { readOnly: true }) : undefined;
const dataDir = envString(env, 'INFERMESH_BILLING_DATA_DIR', '');
const adminToken = envString(env, 'INFERMESH_BILLING_ADMIN_TOKEN', '');
const running = await startBilling(
  {
    ...d,
    host: envString(env, 'INFERMESH_BILLING_HOST', d.host),
    port: envPort(env, 'INFERMESH_BILLING_PORT', d.port),
    databaseUrl: databaseUrl === '' ? undefined : databaseUrl,
    dataDir: dataDir === '' ? undefined : dataDir,
    kafka: brokers.length === 0 ? undefined : defaultBillingKafkaOptions(brokers),
    batchSize: envInt(env, 'INFERMESH_BILLING_BATCH_SIZE', d.batchSize, 1, 5000),
    adminToken: adminToken === '' ? undefined : adminToken,
  },
  { ...(log === undefined ? {} : { log }), logger, authenticate: (h) => tenants.authenticateHeader(h) },
);
logger.info({ address: running.address, ledger: databaseUrl === '' ? 'pglite' : 'postgresql', source: log === undefined ? 'kafka' : 'event-log' }, 'billing started');
stopOnSignals(running, logger, () => log?.close() ?? Promise.resolve());
