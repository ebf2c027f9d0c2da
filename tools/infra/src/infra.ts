import { join } from 'node:path';
import { startKafka, type KafkaServer } from './kafka.js';
import { startNats, type NatsServer } from './nats.js';
import { startPostgres, type PostgresServer } from './postgres.js';

export interface InfraOptions {
  /** Parent of the three data directories (`kafka/`, `nats/`, `postgres/`); unset: temporary ones. */
  dataDir?: string;
  /** See `ServerOptions.ownerPid`. */
  ownerPid?: number | null;
  /** Fixed ports (0 or unset: free ones). */
  ports?: { kafka?: number; nats?: number; postgres?: number };
}

/** The three servers of the cluster profile. */
export interface Infra {
  readonly kafka: KafkaServer;
  readonly nats: NatsServer;
  readonly postgres: PostgresServer;
  /** Stops all three (in parallel); idempotent. */
  stop(): Promise<void>;
}

/**
 * The variables the cluster profile reads, in one place so services, tests and the CLI agree:
 * `INFERMESH_KAFKA_BROKERS` (comma-separated host:port), `INFERMESH_NATS_URL`, `INFERMESH_DATABASE_URL`.
 */
export function infraEnv(infra: { kafka: { brokers: string[] }; nats: { url: string }; postgres: { url: string } }): Record<string, string> {
  return {
    INFERMESH_KAFKA_BROKERS: infra.kafka.brokers.join(','),
    INFERMESH_NATS_URL: infra.nats.url,
    INFERMESH_DATABASE_URL: infra.postgres.url,
  };
}

/**
 * Starts Kafka, NATS and PostgreSQL concurrently. If one fails the others are stopped and the
 * first error is thrown, so a failed start leaves no process behind.
 */
export async function startInfra(options: InfraOptions = {}): Promise<Infra> {
  const opts = (name: string, port: number | undefined): Parameters<typeof startKafka>[0] => ({
    ...(options.dataDir === undefined ? {} : { dataDir: join(options.dataDir, name) }),
    ...(options.ownerPid === undefined ? {} : { ownerPid: options.ownerPid }),
    ...(port === undefined ? {} : { port }),
  });
  const results = await Promise.allSettled([
    startKafka(opts('kafka', options.ports?.kafka)),
    startNats(opts('nats', options.ports?.nats)),
    startPostgres(opts('postgres', options.ports?.postgres)),
  ] as const);
  const [k, n, p] = results;
  if (k.status === 'rejected' || n.status === 'rejected' || p.status === 'rejected') {
    await Promise.all(results.map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
    const failed = results.find((r) => r.status === 'rejected');
    throw failed?.reason;
  }
  let stopped: Promise<void> | undefined;
  return {
    kafka: k.value,
    nats: n.value,
    postgres: p.value,
    stop() {
      stopped ??= Promise.all([k.value.stop(), n.value.stop(), p.value.stop()]).then(() => undefined);
      return stopped;
    },
  };
}
