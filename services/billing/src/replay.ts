import type { EventLog } from '@infermesh/event-log';
import type { Logger } from '@infermesh/telemetry';
import { LedgerConsumer } from './consumer.js';
import { ledgerDigest, type LedgerDigest } from './digest.js';
import { PriceBook, defaultPriceBook, type PriceBookEntry } from './price-book.js';
import { openLedgerStore } from './store/open-ledger.js';

export interface ReplayOptions {
  /** Must be the price book the live ledger used, or amounts will (rightly) differ. */
  priceBook: PriceBookEntry[];
  /** Replay records [0, untilOffset); default the log's end when called. Use the live digest's consumedOffset to compare. */
  untilOffset?: bigint;
  batchSize: number;
  logger?: Logger;
}

export function defaultReplayOptions(): ReplayOptions {
  return { priceBook: defaultPriceBook(), batchSize: 1000 };
}

/**
 * Rebuilds the ledger from `log` into a fresh in-memory store with the live consumer code and
 * digests it. Equal to the live `GetLedgerDigest` (taken at the same consumed offset) exactly
 * when the live ledger is the pure projection of the log. Reads the log only.
 */
export async function replayLedger(log: EventLog, options: Partial<ReplayOptions> = {}): Promise<LedgerDigest> {
  const opts = { ...defaultReplayOptions(), ...options };
  const until = opts.untilOffset ?? log.endOffset();
  const db = await openLedgerStore(undefined, opts.priceBook);
  try {
    const name = 'replay';
    const consumer = new LedgerConsumer(db, log, new PriceBook(opts.priceBook), { name, batchSize: opts.batchSize, idleWaitMs: 0, retryDelayMs: 0 }, opts.logger);
    await consumer.init();
    await consumer.catchUp(until);
    return await ledgerDigest(db, name);
  } finally {
    await db.close();
  }
}
