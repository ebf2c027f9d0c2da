import type { Envelope } from '@infermesh/event-log';
import { projectLine, type LedgerLine } from './ledger-line.js';
import type { PriceBook } from './price-book.js';
import { commitBatch, type PositionMove } from './store/ledger-store.js';
import type { SqlDb } from './store/sql.js';

/** What one committed batch did: usage lines seen and lines new to the ledger (the rest were duplicates). */
export interface ChargeResult {
  usageLines: number;
  inserted: number;
}

/**
 * The step every usage source shares (embedded log, Kafka, replays): project `envelopes` to
 * ledger lines with `prices` and commit them, their rated-usage outbox rows and the source
 * positions `moves` in one transaction (see commitBatch). Non-usage envelopes only move positions.
 */
export async function chargeEnvelopes(db: SqlDb, prices: PriceBook, envelopes: readonly Envelope[], moves: readonly PositionMove[]): Promise<ChargeResult> {
  const lines = envelopes.map((e) => projectLine(e, prices)).filter((l): l is LedgerLine => l !== undefined);
  const inserted = await commitBatch(db, moves, lines);
  return { usageLines: lines.length, inserted };
}
