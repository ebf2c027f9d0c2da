/**
 * @infermesh/billing: the exactly-once usage ledger. Start it with `startBilling`; rebuild and
 * compare it with `replayLedger` (embedded log) or `replayLedgerFromKafka`. Everything not
 * exported here is internal.
 */
import { MeshError, Code } from '@infermesh/errors';
import { billing } from '@infermesh/proto';
import { KafkaTopics, type EventLog } from '@infermesh/event-log';
import { createServer, type RunningService } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import { billingService, type Authenticate } from './billing-service.js';
import { LedgerConsumer } from './consumer.js';
import { ledgerDigest, type LedgerDigest } from './digest.js';
import { kafkaClient, ensureTopics } from './kafka-client.js';
import { KafkaLedgerConsumer } from './kafka-consumer.js';
import { LedgerRunner, type LedgerTask } from './ledger-runner.js';
import { validateBillingOptions, type BillingOptions } from './options.js';
import { PriceBook } from './price-book.js';
import { RatedUsageRelay } from './rated-relay.js';
import { openLedger } from './store/open-ledger.js';
import { PgDb } from './store/pg-db.js';
import type { SqlDb } from './store/sql.js';
import { exportTenantLines } from './usage-export.js';
import { tenantUsage } from './usage-query.js';

export { defaultBillingOptions, defaultBillingKafkaOptions, type BillingOptions, type BillingKafkaOptions } from './options.js';
export { replayLedger, defaultReplayOptions, type ReplayOptions } from './replay.js';
export { replayLedgerFromKafka, type KafkaReplayOptions } from './kafka-replay.js';
export { defaultPriceBook, amountMicros, PriceBook, type PriceBookEntry, type TokenCounts } from './price-book.js';
export { canonicalLine, type LedgerDigest, type SourcePosition } from './digest.js';
export { ratedEventId, RATED_PRODUCER } from './rated-usage.js';
export type { Authenticate } from './billing-service.js';

export interface BillingDeps {
  /** The embedded event log to charge from (required unless `options.kafka`); read only, owned by the caller. */
  log?: EventLog;
  logger: Logger;
  authenticate: Authenticate;
}

/** A running billing service, plus hooks for the CLI and tests. */
export interface RunningBilling extends RunningService {
  /** The live digest (what GetLedgerDigest returns). */
  ledgerDigest(): Promise<LedgerDigest>;
  /** Embedded log only: resolves once every log record before `offset` is in the ledger; DEADLINE_EXCEEDED after timeoutMs. */
  waitForOffset(offset: bigint, timeoutMs: number): Promise<void>;
  /**
   * Resolves once this instance leads and its source is consumed up to the end as of each check
   * (Kafka: every partition's high-water mark; embedded: the log's end) and, on Kafka, every rated
   * line is acknowledged by the broker. DEADLINE_EXCEEDED after `timeoutMs`.
   */
  waitForCaughtUp(timeoutMs: number): Promise<void>;
}

/**
 * Opens the ledger (PostgreSQL or PGlite), serves the Billing gRPC service, and consumes usage
 * (Kafka or the embedded log) while it holds leadership. `stop` drains RPCs, lets the batch in
 * flight finish, and closes the store.
 */
export async function startBilling(options: BillingOptions, deps: BillingDeps): Promise<RunningBilling> {
  validateBillingOptions(options);
  const log = deps.log;
  if (options.kafka === undefined && log === undefined) throw new MeshError(Code.InvalidArgument, 'billing needs an event log (deps.log) or options.kafka');
  const logger = deps.logger.child({ component: 'billing' });
  const prices = new PriceBook(options.priceBook);
  const db = await openLedger({ databaseUrl: options.databaseUrl, dataDir: options.dataDir }, options.priceBook);
  try {
    const kafka = options.kafka === undefined ? undefined : kafkaClient(options.kafka);
    let logConsumer: LedgerConsumer | undefined;
    const tasks = (): LedgerTask[] => {
      if (kafka === undefined || options.kafka === undefined) {
        const c = new LedgerConsumer(db, log!, prices, { name: options.consumerName, batchSize: options.batchSize, idleWaitMs: options.idleWaitMs, retryDelayMs: options.retryDelayMs }, logger);
        logConsumer = c;
        return [{
          start: async () => {
            const from = await c.init();
            logger.info({ position: from.toString() }, 'ledger consumer resuming');
            if (from > log!.endOffset()) logger.error({ position: from.toString(), logEnd: log!.endOffset().toString() }, 'ledger position is past the end of the event log: wrong log directory, or the log was lost');
            c.start();
          },
          stop: () => c.stop(),
          caughtUp: () => c.caughtUp(),
        }];
      }
      const k = options.kafka;
      const relay = new RatedUsageRelay(db, kafka, { positionKey: `${options.consumerName}.relay`, batch: k.relayBatch, pollMs: k.relayPollMs, retryMinMs: 100, retryMaxMs: 2000, sendTimeoutMs: 15_000 }, logger);
      const consumer = new KafkaLedgerConsumer(db, kafka, prices, {
        name: options.consumerName, topic: KafkaTopics.usage, clientId: k.clientId, batchSize: options.batchSize, retryDelayMs: options.retryDelayMs,
        lagGroupId: k.lagGroupId, lagCommitIntervalMs: k.lagCommitIntervalMs, onCommitted: () => relay.notify(),
      }, logger);
      return [
        { start: async () => relay.start(), stop: () => relay.stop(), caughtUp: () => relay.caughtUp() },
        {
          start: async () => {
            await ensureTopics(kafka, k.partitions);
            consumer.start();
          },
          stop: () => consumer.stop(),
          caughtUp: () => consumer.caughtUp(),
        },
      ];
    };
    const leader = db instanceof PgDb ? { pool: db.pool, name: options.consumerName, pollMs: options.leaderPollMs } : undefined;
    const runner = new LedgerRunner(tasks, leader, logger);
    const digest = (): Promise<LedgerDigest> => ledgerDigest(db, options.consumerName);
    const server = createServer({ name: 'billing', host: options.host, port: options.port, logger });
    server.add(billing.Billing, billingService(
      { usage: (t, s, e) => tenantUsage(db, t, s, e), exportLines: (t, s, e) => exportTenantLines(db, t, s, e), digest, currency: prices.currency },
      deps.authenticate,
      options.adminToken,
    ));
    const { address } = await server.start();
    runner.start();
    let stopped: Promise<void> | undefined;
    return {
      name: 'billing',
      address,
      ledgerDigest: digest,
      waitForOffset: async (offset, timeoutMs) => {
        if (options.kafka !== undefined) throw new MeshError(Code.FailedPrecondition, 'waitForOffset is for the embedded log source; use waitForCaughtUp');
        const started = Date.now();
        await waitUntil(async () => logConsumer !== undefined, timeoutMs, 'this instance did not start consuming (another one holds the ledger lock?)');
        await logConsumer!.waitForOffset(offset, Math.max(1, timeoutMs - (Date.now() - started)));
      },
      waitForCaughtUp: (timeoutMs) => waitUntil(() => runner.caughtUp(), timeoutMs, 'the ledger did not catch up with its source'),
      stop: (graceMs) => (stopped ??= (async () => {
        await server.shutdown(graceMs);
        await runner.stop();
        await db.close();
      })()),
    };
  } catch (err) {
    await closeQuietly(db);
    throw err;
  }
}

async function closeQuietly(db: SqlDb): Promise<void> {
  await db.close().catch(() => {});
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() >= deadline) throw new MeshError(Code.DeadlineExceeded, `${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
