/**
 * @infermesh/billing: the exactly-once usage ledger. Start it with `startBilling`; rebuild and
 * compare it with `replayLedger`. Everything not exported here is internal.
 */
import { billing } from '@infermesh/proto';
import type { EventLog } from '@infermesh/event-log';
import { createServer, type RunningService } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import { billingService, type Authenticate } from './billing-service.js';
import { LedgerConsumer } from './consumer.js';
import { ledgerDigest, type LedgerDigest } from './digest.js';
import { validateBillingOptions, type BillingOptions } from './options.js';
import { PriceBook } from './price-book.js';
import { openLedgerStore } from './store/open-ledger.js';
import { exportTenantLines } from './usage-export.js';
import { tenantUsage } from './usage-query.js';

export { defaultBillingOptions, type BillingOptions } from './options.js';
export { replayLedger, defaultReplayOptions, type ReplayOptions } from './replay.js';
export { defaultPriceBook, amountMicros, PriceBook, type PriceBookEntry, type TokenCounts } from './price-book.js';
export { canonicalLine, type LedgerDigest } from './digest.js';
export type { Authenticate } from './billing-service.js';

export interface BillingDeps {
  /** The event log to charge from; read only, owned (and closed) by the caller. */
  log: EventLog;
  logger: Logger;
  authenticate: Authenticate;
}

/** A running billing service, plus hooks for the CLI and tests. */
export interface RunningBilling extends RunningService {
  /** The live digest (what GetLedgerDigest returns). */
  ledgerDigest(): Promise<LedgerDigest>;
  /** Resolves once every log record before `offset` is in the ledger; DEADLINE_EXCEEDED after timeoutMs. */
  waitForOffset(offset: bigint, timeoutMs: number): Promise<void>;
}

/**
 * Opens the ledger store, starts the consumer from its stored position and serves the Billing
 * gRPC service. `stop` drains RPCs, lets the batch in flight finish, and closes the store.
 */
export async function startBilling(options: BillingOptions, deps: BillingDeps): Promise<RunningBilling> {
  validateBillingOptions(options);
  const logger = deps.logger.child({ component: 'billing' });
  const prices = new PriceBook(options.priceBook);
  const db = await openLedgerStore(options.dataDir, options.priceBook);
  const consumer = new LedgerConsumer(db, deps.log, prices, {
    name: options.consumerName,
    batchSize: options.batchSize,
    idleWaitMs: options.idleWaitMs,
    retryDelayMs: options.retryDelayMs,
  }, logger);
  try {
    const from = await consumer.init();
    logger.info({ position: from.toString() }, 'ledger consumer resuming');
    if (from > deps.log.endOffset()) {
      logger.error({ position: from.toString(), logEnd: deps.log.endOffset().toString() }, 'ledger position is past the end of the event log: wrong log directory, or the log was lost');
    }
    const digest = (): Promise<LedgerDigest> => ledgerDigest(db, options.consumerName);
    const server = createServer({ name: 'billing', host: options.host, port: options.port, logger });
    server.add(billing.Billing, billingService(
      { usage: (t, s, e) => tenantUsage(db, t, s, e), exportLines: (t, s, e) => exportTenantLines(db, t, s, e), digest, currency: prices.currency },
      deps.authenticate,
      options.adminToken,
    ));
    const { address } = await server.start();
    consumer.start();
    let stopped: Promise<void> | undefined;
    return {
      name: 'billing',
      address,
      ledgerDigest: digest,
      waitForOffset: (offset, timeoutMs) => consumer.waitForOffset(offset, timeoutMs),
      stop: (graceMs) => (stopped ??= (async () => {
        await server.shutdown(graceMs);
        await consumer.stop();
        await db.close();
      })()),
    };
  } catch (err) {
    await db.close();
    throw err;
  }
}
