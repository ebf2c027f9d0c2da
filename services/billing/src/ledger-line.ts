import type { Envelope } from '@infermesh/event-log';
import { amountMicros, type PriceBook } from './price-book.js';

/** `price_book_version` of a line whose model had no price at its time: charged 0, kept visible. */
export const UNPRICED = 'unpriced';

/** One row of `ledger_lines`, as the projection computes it. */
export interface LedgerLine {
  eventId: string;
  tenantId: string;
  requestId: string;
  model: string;
  /** accepted_at in epoch microseconds (the ledger's time of use). */
  occurredAtMicros: bigint;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  amountMicros: bigint;
  currency: string;
  priceBookVersion: string;
}

const micros = (t: { seconds: bigint; nanos: number } | undefined): bigint | undefined =>
  t === undefined ? undefined : t.seconds * 1_000_000n + BigInt(Math.floor(t.nanos / 1000));

/**
 * The ledger projection of one envelope: a line for `usage.recorded`, nothing for anything else.
 * Pure: the same envelope and price book always give the same line, which is what lets a replay
 * into an empty store reproduce the ledger exactly. Missing fields are read as their proto
 * defaults; a missing accepted_at falls back to the envelope time.
 */
export function projectLine(env: Envelope, prices: PriceBook): LedgerLine | undefined {
  if (env.payload.case !== 'usageRecorded') return undefined;
  const u = env.payload.value;
  const counts = {
    promptTokens: u.usage?.promptTokens ?? 0,
    cachedPromptTokens: u.usage?.cachedPromptTokens ?? 0,
    completionTokens: u.usage?.completionTokens ?? 0,
  };
  const occurredAtMicros = micros(u.acceptedAt) ?? micros(env.time) ?? 0n;
  const price = prices.priceAt(u.model, occurredAtMicros);
  return {
    eventId: env.id,
    tenantId: env.tenantId,
    requestId: env.requestId,
    model: u.model,
    occurredAtMicros,
    ...counts,
    amountMicros: price === undefined ? 0n : amountMicros(counts, price),
    currency: prices.currency,
    priceBookVersion: price?.version ?? UNPRICED,
  };
}

/** Epoch microseconds as an ISO-8601 UTC string with six fractional digits (PostgreSQL input). */
export function microsToIso(us: bigint): string {
  const ms = us >= 0n ? us / 1000n : (us - 999n) / 1000n;
  const rest = us - ms * 1000n;
  return new Date(Number(ms)).toISOString().replace('Z', `${rest.toString().padStart(3, '0')}Z`);
}
