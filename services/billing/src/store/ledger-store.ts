import { MeshError, Code } from '@infermesh/errors';
import { microsToIso, type LedgerLine } from '../ledger-line.js';
import type { SqlDb, SqlQueryable } from './sql.js';

const COLUMNS = 11;

/** The consumer's stored position (next offset to read); creates it at 0 the first time. */
export async function loadPosition(db: SqlDb, consumer: string): Promise<bigint> {
  await db.query('INSERT INTO consumer_positions (consumer, next_offset) VALUES ($1, 0) ON CONFLICT (consumer) DO NOTHING', [consumer]);
  const { rows } = await db.query<{ next_offset: string }>('SELECT next_offset::text AS next_offset FROM consumer_positions WHERE consumer = $1', [consumer]);
  return BigInt(rows[0]!.next_offset);
}

/**
 * The exactly-once step: in ONE transaction, inserts `lines` (an event id already present is
 * skipped) and moves the position from `from` to `to`. The position update is conditional on
 * `from`, so a second consumer with the same name (or a stale one) fails with ABORTED and
 * commits nothing instead of double-advancing. Returns the number of lines newly inserted.
 */
export async function commitBatch(db: SqlDb, consumer: string, from: bigint, to: bigint, lines: readonly LedgerLine[]): Promise<number> {
  return db.transaction(async (tx) => {
    const inserted = lines.length === 0 ? 0 : await insertLines(tx, lines);
    const { rows } = await tx.query(
      'UPDATE consumer_positions SET next_offset = $1, updated_at = now() WHERE consumer = $2 AND next_offset = $3 RETURNING consumer',
      [to.toString(), consumer, from.toString()],
    );
    if (rows.length !== 1) throw new MeshError(Code.Aborted, `consumer ${consumer} position moved away from ${from}; another instance is running`);
    return inserted;
  });
}

async function insertLines(tx: SqlQueryable, lines: readonly LedgerLine[]): Promise<number> {
  const params: unknown[] = [];
  const tuples: string[] = [];
  for (const l of lines) {
    const base = params.length;
    tuples.push(`(${Array.from({ length: COLUMNS }, (_, i) => `$${base + i + 1}`).join(', ')})`);
    params.push(l.eventId, l.tenantId, l.requestId, l.model, microsToIso(l.occurredAtMicros), l.promptTokens, l.cachedPromptTokens,
      l.completionTokens, l.amountMicros.toString(), l.currency, l.priceBookVersion);
  }
  const { rows } = await tx.query(
    `INSERT INTO ledger_lines (event_id, tenant_id, request_id, model, occurred_at, prompt_tokens, cached_prompt_tokens,
       completion_tokens, amount_micros, currency, price_book_version)
     VALUES ${tuples.join(', ')} ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    params,
  );
  return rows.length;
}
