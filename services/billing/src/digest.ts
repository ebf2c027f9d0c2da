import { createHash } from 'node:crypto';
import { loadPositionsUnder } from './store/ledger-store.js';
import type { SqlDb, SqlQueryable } from './store/sql.js';

/** The ledger's fingerprint: equal digests mean equal ledgers, line for line, micro-unit for micro-unit. */
export interface LedgerDigest {
  lines: bigint;
  totalAmountMicros: bigint;
  /** SHA-256 over the canonical lines sorted by event id (format: canonicalLine). */
  sha256: Uint8Array;
  /** The consumer's position: the ledger covers log records [0, consumedOffset); on Kafka the sum of `positions`. */
  consumedOffset: bigint;
  /** Per source, sorted: "log" for the embedded event log, "TOPIC/PARTITION" for Kafka; next offset to read. */
  positions: SourcePosition[];
}

/** Where the consumer resumes in one source (GetLedgerDigestResponse.positions). */
export interface SourcePosition {
  source: string;
  nextOffset: bigint;
}

interface LineRow {
  event_id: string;
  tenant_id: string;
  request_id: string;
  model: string;
  occurred_us: string;
  prompt_tokens: string;
  cached_prompt_tokens: string;
  completion_tokens: string;
  amount_micros: string;
  currency: string;
  price_book_version: string;
}

/**
 * The canonical form of one line: `JSON.stringify` of an array of eleven strings, then "\n":
 * [event_id, tenant_id, request_id, model, occurred_at as epoch microseconds, prompt_tokens,
 * cached_prompt_tokens, completion_tokens, amount_micros, currency, price_book_version],
 * integers in decimal without leading zeros. JSON quoting makes it unambiguous for any text.
 */
export function canonicalLine(r: LineRow): string {
  return `${JSON.stringify([r.event_id, r.tenant_id, r.request_id, r.model, r.occurred_us, r.prompt_tokens, r.cached_prompt_tokens,
    r.completion_tokens, r.amount_micros, r.currency, r.price_book_version])}\n`;
}

const PAGE = 5000;

/**
 * Digests the whole ledger and the position of `consumer` in one repeatable-read snapshot, so
 * the count, total, hash and offset describe the same state even while the consumer runs.
 * Lines are read in pages in byte order of event id (COLLATE "C", independent of locale).
 */
export async function ledgerDigest(db: SqlDb, consumer: string): Promise<LedgerDigest> {
  return db.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const hash = createHash('sha256');
    let lines = 0n;
    let total = 0n;
    let after = '';
    for (;;) {
      const { rows } = await tx.query<LineRow>(
        `SELECT event_id, tenant_id, request_id, model, (extract(epoch from occurred_at) * 1000000)::bigint::text AS occurred_us,
                prompt_tokens::text AS prompt_tokens, cached_prompt_tokens::text AS cached_prompt_tokens,
                completion_tokens::text AS completion_tokens, amount_micros::text AS amount_micros, currency, price_book_version
         FROM ledger_lines WHERE event_id COLLATE "C" > $1 ORDER BY event_id COLLATE "C" LIMIT ${PAGE}`,
        [after],
      );
      for (const r of rows) {
        hash.update(canonicalLine(r), 'utf8');
        lines++;
        total += BigInt(r.amount_micros);
      }
      if (rows.length < PAGE) break;
      after = rows.at(-1)!.event_id;
    }
    const positions = await sourcePositions(tx, consumer);
    const consumedOffset = positions.reduce((sum, p) => sum + p.nextOffset, 0n);
    return { lines, totalAmountMicros: total, sha256: new Uint8Array(hash.digest()), consumedOffset, positions };
  });
}

/** The positions of `consumer`: its own row is the embedded log, rows `<consumer>/TOPIC/PARTITION` are Kafka. */
export async function sourcePositions(db: SqlQueryable, consumer: string): Promise<SourcePosition[]> {
  const out: SourcePosition[] = [];
  for (const [rest, nextOffset] of await loadPositionsUnder(db, consumer)) {
    if (rest === '') out.push({ source: 'log', nextOffset });
    else if (rest.startsWith('/')) out.push({ source: rest.slice(1), nextOffset });
  }
  return out.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}
