import { microsToIso } from './ledger-line.js';
import type { SqlDb } from './store/sql.js';

/** Sums over a set of ledger lines. Token counts and amounts are exact (bigint). */
export interface UsageTotals {
  /** '' on the total. */
  model: string;
  requests: bigint;
  promptTokens: bigint;
  cachedPromptTokens: bigint;
  completionTokens: bigint;
  amountMicros: bigint;
}

export interface TenantUsage {
  tenantId: string;
  models: UsageTotals[];
  total: UsageTotals;
}

interface Row {
  model: string;
  requests: string;
  prompt: string;
  cached: string;
  completion: string;
  amount: string;
}

/**
 * One tenant's usage per model (sorted by model) and in total, over lines whose time of use is
 * in [startMicros, endMicros); either bound may be omitted. Sums are cast to text in SQL so no
 * value passes through a float.
 */
export async function tenantUsage(db: SqlDb, tenantId: string, startMicros?: bigint, endMicros?: bigint): Promise<TenantUsage> {
  const { params, where } = tenantWindow(tenantId, startMicros, endMicros);
  const { rows } = await db.query<Row>(
    `SELECT model, count(*)::text AS requests, sum(prompt_tokens)::text AS prompt, sum(cached_prompt_tokens)::text AS cached,
            sum(completion_tokens)::text AS completion, sum(amount_micros)::text AS amount
     FROM ledger_lines WHERE ${where} GROUP BY model ORDER BY model COLLATE "C"`,
    params,
  );
  const models = rows.map((r) => ({
    model: r.model,
    requests: BigInt(r.requests),
    promptTokens: BigInt(r.prompt),
    cachedPromptTokens: BigInt(r.cached),
    completionTokens: BigInt(r.completion),
    amountMicros: BigInt(r.amount),
  }));
  const total: UsageTotals = { model: '', requests: 0n, promptTokens: 0n, cachedPromptTokens: 0n, completionTokens: 0n, amountMicros: 0n };
  for (const m of models) {
    total.requests += m.requests;
    total.promptTokens += m.promptTokens;
    total.cachedPromptTokens += m.cachedPromptTokens;
    total.completionTokens += m.completionTokens;
    total.amountMicros += m.amountMicros;
  }
  return { tenantId, models, total };
}

/**
 * The WHERE clause (and its parameters, $1 upward) selecting one tenant's lines with time of use
 * in [startMicros, endMicros); either bound may be omitted. Callers may push more parameters.
 */
export function tenantWindow(tenantId: string, startMicros?: bigint, endMicros?: bigint): { params: unknown[]; where: string } {
  const params: unknown[] = [tenantId];
  let where = 'tenant_id = $1';
  if (startMicros !== undefined) {
    params.push(microsToIso(startMicros));
    where += ` AND occurred_at >= $${params.length}`;
  }
  if (endMicros !== undefined) {
    params.push(microsToIso(endMicros));
    where += ` AND occurred_at < $${params.length}`;
  }
  return { params, where };
}
