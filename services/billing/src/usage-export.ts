import { microsToIso } from './ledger-line.js';
import type { SqlDb } from './store/sql.js';
import { tenantWindow } from './usage-query.js';

/** One ledger line as exported: integers exact (bigint), time in epoch microseconds. */
export interface ExportedLine {
  eventId: string;
  requestId: string;
  model: string;
  occurredAtMicros: bigint;
  promptTokens: bigint;
  cachedPromptTokens: bigint;
  completionTokens: bigint;
  amountMicros: bigint;
  currency: string;
  priceBookVersion: string;
}

interface Row {
  event_id: string;
  request_id: string;
  model: string;
  occurred_us: string;
  prompt: string;
  cached: string;
  completion: string;
  amount: string;
  currency: string;
  price_book_version: string;
}

/**
 * A tenant's lines with time of use in [startMicros, endMicros), ordered by (time, event id),
 * in pages of `pageSize`: keyset pagination, so a long export holds no cursor or transaction
 * open between pages and each page is one indexed range scan.
 */
export async function* exportTenantLines(db: SqlDb, tenantId: string, startMicros: bigint | undefined, endMicros: bigint | undefined, pageSize = 1000): AsyncGenerator<ExportedLine[]> {
  let afterTime: string | undefined;
  let afterId = '';
  for (;;) {
    const window = tenantWindow(tenantId, startMicros, endMicros);
    const params = window.params;
    let where = window.where;
    if (afterTime !== undefined) {
      params.push(afterTime, afterId);
      where += ` AND (occurred_at, event_id COLLATE "C") > ($${params.length - 1}::timestamptz, $${params.length} COLLATE "C")`;
    }
    const { rows } = await db.query<Row>(
      `SELECT event_id, request_id, model, (extract(epoch from occurred_at) * 1000000)::bigint::text AS occurred_us,
              prompt_tokens::text AS prompt, cached_prompt_tokens::text AS cached, completion_tokens::text AS completion,
              amount_micros::text AS amount, currency, price_book_version
       FROM ledger_lines WHERE ${where} ORDER BY occurred_at, event_id COLLATE "C" LIMIT ${pageSize}`,
      params,
    );
    if (rows.length === 0) return;
    yield rows.map((r) => ({
      eventId: r.event_id,
      requestId: r.request_id,
      model: r.model,
      occurredAtMicros: BigInt(r.occurred_us),
      promptTokens: BigInt(r.prompt),
      cachedPromptTokens: BigInt(r.cached),
      completionTokens: BigInt(r.completion),
      amountMicros: BigInt(r.amount),
      currency: r.currency,
      priceBookVersion: r.price_book_version,
    }));
    if (rows.length < pageSize) return;
    const last = rows.at(-1)!;
    afterTime = microsToIso(BigInt(last.occurred_us));
    afterId = last.event_id;
  }
}
