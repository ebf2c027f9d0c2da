/**
 * @infermesh/infra: real Kafka (KRaft), NATS (JetStream) and PostgreSQL on 127.0.0.1 without
 * Docker, for integration tests and the cluster profile. Artifacts are cached under `.tools/`.
 * Every server runs as its own process group; a watchdog ends it when its owner process dies.
 */
export type { RunningServer, ServerOptions } from './server.js';
export { startKafka, ensureKafka, KAFKA_VERSION, type KafkaServer } from './kafka.js';
export { startNats, ensureNats, NATS_VERSION, type NatsServer } from './nats.js';
export { startPostgres, type PostgresServer } from './postgres.js';
export { startInfra, infraEnv, type Infra, type InfraOptions } from './infra.js';
export { MissingPrerequisiteError, StartFailedError } from './errors.js';
export { freePort } from './ports.js';
