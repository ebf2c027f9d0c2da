import { TenantDirectory, parseApiKeySpec } from '@infermesh/auth';
import { envInt, envPort, envString } from '@infermesh/config';
import { openControlPlane } from '@infermesh/control-bus';
import { FileEventLog, KafkaEventLog, Producer, type EventLog } from '@infermesh/event-log';
import { stopOnSignals } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { busCancels, defaultIngressOptions, startIngress } from './index.js';

// Standalone entry. Env: INFERMESH_HOST, INFERMESH_GRPC_PORT, INFERMESH_HTTP_PORT,
// INFERMESH_TOKENIZER_ADDRESS, INFERMESH_SCHEDULER_ADDRESS, INFERMESH_EVENT_LOG_DIR (required),
// INFERMESH_INGRESS_PRODUCER (event-log producer name, unique per instance), INFERMESH_API_KEYS
// ("tenant:key,..."), INFERMESH_DEFAULT_MAX_TOKENS, INFERMESH_LOG_LEVEL.
// INFERMESH_KAFKA_BROKERS (cluster profile): events go to Kafka through a durable outbox kept in
// INFERMESH_EVENT_LOG_DIR (one directory per ingress instance); INFERMESH_EVENT_OUTBOX_MAX_EVENTS
// bounds it (requests fail UNAVAILABLE beyond). Unset: INFERMESH_EVENT_LOG_DIR is the event log.
// INFERMESH_NATS_URL: cancellations of placed requests are also published to the worker's cancel
// subject (its supervisor aborts the sequence even if the stream's own cancel does not arrive).
const env = process.env;
const logger = createLogger({ service: 'ingress', level: envString(env, 'INFERMESH_LOG_LEVEL', 'info') });
const d = defaultIngressOptions();
const logDir = envString(env, 'INFERMESH_EVENT_LOG_DIR', '');
if (logDir === '') throw new Error('INFERMESH_EVENT_LOG_DIR must name the event log directory');
const tenants = new TenantDirectory();
for (const { tenantId, apiKey } of parseApiKeySpec(envString(env, 'INFERMESH_API_KEYS', ''))) tenants.addKey(tenantId, apiKey);
const brokers = envString(env, 'INFERMESH_KAFKA_BROKERS', '');
let relayFailing = false;
const log: EventLog = brokers === ''
  ? await FileEventLog.open(logDir)
  : await KafkaEventLog.open({
    brokers: brokers.split(','),
    outboxDir: logDir,
    clientId: 'infermesh-ingress',
    maxPendingEvents: envInt(env, 'INFERMESH_EVENT_OUTBOX_MAX_EVENTS', 100_000, 1, 100_000_000),
    onRelayError: (err) => {
      if (!relayFailing) logger.warn({ err }, 'Kafka unreachable; events wait in the outbox');
      relayFailing = true;
    },
    onRelaySuccess: () => {
      if (relayFailing) logger.info('Kafka reachable again; the outbox is draining');
      relayFailing = false;
    },
  });
const natsUrl = envString(env, 'INFERMESH_NATS_URL', '');
const plane = natsUrl === '' ? undefined : await openControlPlane({ natsUrl, name: 'ingress', onHandlerError: (err, subject) => logger.error({ err, subject }, 'bus handler failed') });
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
  { events: producer, tenants, logger, ...(plane === undefined ? {} : { cancels: busCancels(plane.bus) }) },
);
stopOnSignals(running, logger, async () => {
  await producer.close();
  await log.close();
  await plane?.close();
});
