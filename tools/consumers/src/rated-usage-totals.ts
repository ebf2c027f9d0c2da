import type { events } from '@infermesh/proto';

/** One tenant's rated usage, summed over distinct ledger lines. Exact integers. */
export interface TenantUsageTotals {
  /** Distinct rated lines (one per usage.recorded event, i.e. per request). */
  requests: bigint;
  promptTokens: bigint;
  cachedPromptTokens: bigint;
  completionTokens: bigint;
  /** Micro-units of the lines' currency (1 USD = 1,000,000). */
  amountMicros: bigint;
}

/** What a consumer of `infermesh.rated-usage.v1` read, and the totals it computed. */
export interface RatedUsageTotals {
  topic: string;
  /** Records read below the end offsets seen at start, repeats and other types included. */
  records: number;
  /** Records whose `source_event_id` was already counted (billing re-published the line). */
  duplicates: number;
  /** Records that were not `usage.rated` envelopes. */
  skipped: number;
  /** False when the consumer stopped on idleness before reaching every end offset. */
  complete: boolean;
  /** Per tenant id, in no particular order. */
  tenants: Map<string, TenantUsageTotals>;
}

/** All-zero totals; a fresh object each call. */
export function zeroTotals(): TenantUsageTotals {
  return { requests: 0n, promptTokens: 0n, cachedPromptTokens: 0n, completionTokens: 0n, amountMicros: 0n };
}

/**
 * The reference computation in TypeScript: per-tenant totals of the `usage.rated` envelopes in
 * `envelopes`, each `sourceEventId` counted once (the first one seen), other payloads ignored.
 * Tenant = the envelope's `tenantId`, which is also the record key on the topic.
 */
export function totalsOfRatedEnvelopes(envelopes: Iterable<events.Envelope>): Map<string, TenantUsageTotals> {
  const seen = new Set<string>();
  const out = new Map<string, TenantUsageTotals>();
  for (const env of envelopes) {
    if (env.payload.case !== 'usageRated') continue;
    const line = env.payload.value;
    if (seen.has(line.sourceEventId)) continue;
    seen.add(line.sourceEventId);
    let t = out.get(env.tenantId);
    if (t === undefined) out.set(env.tenantId, (t = zeroTotals()));
    t.requests += 1n;
    t.promptTokens += BigInt(line.usage?.promptTokens ?? 0);
    t.cachedPromptTokens += BigInt(line.usage?.cachedPromptTokens ?? 0);
    t.completionTokens += BigInt(line.usage?.completionTokens ?? 0);
    t.amountMicros += line.amountMicros;
  }
  return out;
}
