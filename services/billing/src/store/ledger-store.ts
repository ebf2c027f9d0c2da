import { MeshError, Code } from '@infermesh/errors';
import { microsToIso, type LedgerLine } from '../ledger-line.js';
import { EMPTY_CHAIN, rateLines, type ChainHead, type RatedRow } from '../rated-usage.js';
import type { SqlDb, SqlQueryable } from './sql.js';

const LINE_COLUMNS = 11;
const OUTBOX_COLUMNS = 6;

/** One source's position moving from `from` to `to` (next offset to read) in a commit. */
export interface PositionMove {
  /** consumer_positions key: the consumer name for the embedded log, `<name>/<topic>/<partition>` for Kafka. */
  key: string;
  from: bigint;
  to: bigint;
}

/** A stored position (next offset to read); creates it at 0 the first time. */
export async function loadPosition(db: SqlDb, key: string): Promise<bigint> {
  await db.query('INSERT INTO consumer_positions (consumer, next_offset) VALUES ($1, 0) ON CONFLICT (consumer) DO NOTHING', [key]);
  const { rows } = await db.query<{ next_offset: string }>('SELECT next_offset::text AS next_offset FROM consumer_positions WHERE consumer = $1', [key]);
  return BigInt(rows[0]!.next_offset);
}

/** Every stored position whose key starts with `prefix`, keyed by the rest of the key. */
export async function loadPositionsUnder(db: SqlQueryable, prefix: string): Promise<Map<string, bigint>> {
  const { rows } = await db.query<{ consumer: string; next_offset: string }>(
    'SELECT consumer, next_offset::text AS next_offset FROM consumer_positions WHERE left(consumer, length($1)) = $1',
    [prefix],
  );
  return new Map(rows.map((r) => [r.consumer.slice(prefix.length), BigInt(r.next_offset)]));
}

/**
 * The exactly-once step: in ONE transaction, inserts `lines` (an event id already in the ledger,
 * or repeated in the batch, is skipped), appends a `usage.rated` outbox row for each line newly
 * inserted (in batch order, continuing the chain), and moves every position in `moves`. Each
 * move is conditional on its `from`, so a second or stale consumer of the same source fails with
 * ABORTED and commits nothing instead of double-advancing; two writers racing on the outbox chain
 * collide on its primary key the same way. Returns the number of lines newly inserted.
 */
export async function commitBatch(db: SqlDb, moves: readonly PositionMove[], lines: readonly LedgerLine[]): Promise<number> {
  const unique = dedupe(lines);
  return db.transaction(async (tx) => {
    const insertedIds = unique.length === 0 ? new Set<string>() : await insertLines(tx, unique);
    if (insertedIds.size > 0) {
      const fresh = unique.filter((l) => insertedIds.has(l.eventId));
      const { rows } = rateLines(fresh, await chainHead(tx));
      await insertOutbox(tx, rows);
    }
    for (const m of moves) {
      await tx.query('INSERT INTO consumer_positions (consumer, next_offset) VALUES ($1, 0) ON CONFLICT (consumer) DO NOTHING', [m.key]);
      const { rows } = await tx.query(
        'UPDATE consumer_positions SET next_offset = $1, updated_at = now() WHERE consumer = $2 AND next_offset = $3 RETURNING consumer',
        [m.to.toString(), m.key, m.from.toString()],
      );
      if (rows.length !== 1) throw new MeshError(Code.Aborted, `position ${m.key} moved away from ${m.from}; another instance is running`);
    }
    return insertedIds.size;
  });
}

function dedupe(lines: readonly LedgerLine[]): LedgerLine[] {
  const seen = new Set<string>();
  return lines.filter((l) => {
    if (seen.has(l.eventId)) return false;
    seen.add(l.eventId);
    return true;
  });
}

async function chainHead(tx: SqlQueryable): Promise<ChainHead> {
  const { rows } = await tx.query<{ seq: string; hash: Uint8Array }>(
    'SELECT o.sequence::text AS seq, o.hash FROM rated_usage_outbox o ORDER BY o.sequence DESC LIMIT 1',
  );
  const r = rows[0];
  return r === undefined ? EMPTY_CHAIN : { sequence: BigInt(r.seq), hash: new Uint8Array(r.hash) };
}

const placeholders = (rowCount: number, columns: number): string =>
  Array.from({ length: rowCount }, (_, r) => `(${Array.from({ length: columns }, (_, c) => `$${r * columns + c + 1}`).join(', ')})`).join(', ');

async function insertLines(tx: SqlQueryable, lines: readonly LedgerLine[]): Promise<Set<string>> {
  const params: unknown[] = [];
  for (const l of lines) {
    params.push(l.eventId, l.tenantId, l.requestId, l.model, microsToIso(l.occurredAtMicros), l.promptTokens, l.cachedPromptTokens,
      l.completionTokens, l.amountMicros.toString(), l.currency, l.priceBookVersion);
  }
  const { rows } = await tx.query<{ event_id: string }>(
    `INSERT INTO ledger_lines (event_id, tenant_id, request_id, model, occurred_at, prompt_tokens, cached_prompt_tokens,
       completion_tokens, amount_micros, currency, price_book_version)
     VALUES ${placeholders(lines.length, LINE_COLUMNS)} ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    params,
  );
  return new Set(rows.map((r) => r.event_id));
}

async function insertOutbox(tx: SqlQueryable, rows: readonly RatedRow[]): Promise<void> {
  const params: unknown[] = [];
  for (const r of rows) params.push(r.sequence.toString(), r.eventId, r.sourceEventId, r.tenantId, Buffer.from(r.hash), Buffer.from(r.bytes));
  await tx.query(
    `INSERT INTO rated_usage_outbox (sequence, event_id, source_event_id, tenant_id, hash, envelope) VALUES ${placeholders(rows.length, OUTBOX_COLUMNS)}`,
    params,
  );
}
