import { invalidArgument } from '@infermesh/errors';
import { defaultPriceBook, type PriceBookEntry } from './price-book.js';

/** Configuration of the billing service. Read from the environment only in main.ts. */
export interface BillingOptions {
  host: string;
  /** gRPC port; 0 picks a free one. */
  port: number;
  /** PostgreSQL URL of the ledger; when set it wins over `dataDir` (production). Never logged. */
  databaseUrl: string | undefined;
  /** PGlite data directory when no `databaseUrl`; undefined keeps the ledger in memory (lost on exit: tests, demos). */
  dataDir: string | undefined;
  /** Consume usage from Kafka and publish rated usage there; undefined consumes the injected embedded `log`. */
  kafka: BillingKafkaOptions | undefined;
  /** Poll period of a standby instance waiting for the PostgreSQL leader lock, ms. */
  leaderPollMs: number;
  /** Position row of the ledger consumer; one running instance per name. */
  consumerName: string;
  /** Log records per ledger transaction (1..5000). */
  batchSize: number;
  /** Longest idle wait for new events before re-checking, ms. */
  idleWaitMs: number;
  /** Pause before retrying a failed batch, ms. */
  retryDelayMs: number;
  /** Versioned prices; the default is documented at defaultPriceBook(). */
  priceBook: PriceBookEntry[];
  /** Bearer token that may call GetLedgerDigest; undefined disables the admin RPC. */
  adminToken: string | undefined;
}

/** The Kafka side of billing: usage in (`KafkaTopics.usage`), rated usage out (`KafkaTopics.ratedUsage`). */
export interface BillingKafkaOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  clientId: string;
  /** Partitions of the topics when billing creates them (existing topics are left alone); matches KafkaEventLog's default. */
  partitions: number;
  /** Consumer group that mirrors the ledger positions for lag monitoring ('' = none); never used for correctness. */
  lagGroupId: string;
  lagCommitIntervalMs: number;
  /** Most rated-usage records per produce request. */
  relayBatch: number;
  /** Longest wait of the relay for new outbox rows, ms. */
  relayPollMs: number;
}

export function defaultBillingKafkaOptions(brokers: string[]): BillingKafkaOptions {
  return { brokers, clientId: 'infermesh-billing', partitions: 6, lagGroupId: 'infermesh-billing-ledger', lagCommitIntervalMs: 1000, relayBatch: 500, relayPollMs: 200 };
}

export function defaultBillingOptions(): BillingOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    databaseUrl: undefined,
    dataDir: undefined,
    kafka: undefined,
    leaderPollMs: 500,
    consumerName: 'billing-ledger',
    batchSize: 500,
    idleWaitMs: 1000,
    retryDelayMs: 1000,
    priceBook: defaultPriceBook(),
    adminToken: undefined,
  };
}

/** Rejects options that cannot work, naming the option (INVALID_ARGUMENT). */
export function validateBillingOptions(o: BillingOptions): void {
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw invalidArgument('port must be in [0, 65535]', 'port');
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > 5000) throw invalidArgument('batchSize must be in [1, 5000]', 'batchSize');
  if (o.consumerName === '') throw invalidArgument('consumerName must not be empty', 'consumerName');
  if (o.priceBook.length === 0) throw invalidArgument('priceBook must have at least one entry', 'priceBook');
  if (o.idleWaitMs < 1 || o.retryDelayMs < 0) throw invalidArgument('idleWaitMs must be >= 1 and retryDelayMs >= 0', 'idleWaitMs');
  if (o.databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(o.databaseUrl)) throw invalidArgument('databaseUrl must be a postgres:// URL', 'databaseUrl');
  if (o.leaderPollMs < 10) throw invalidArgument('leaderPollMs must be >= 10', 'leaderPollMs');
  if (o.kafka !== undefined) {
    if (o.kafka.brokers.length === 0) throw invalidArgument('kafka.brokers must name at least one broker', 'kafka.brokers');
    if (!Number.isInteger(o.kafka.partitions) || o.kafka.partitions < 1) throw invalidArgument('kafka.partitions must be >= 1', 'kafka.partitions');
    if (!Number.isInteger(o.kafka.relayBatch) || o.kafka.relayBatch < 1 || o.kafka.relayBatch > 10_000) throw invalidArgument('kafka.relayBatch must be in [1, 10000]', 'kafka.relayBatch');
  }
}
