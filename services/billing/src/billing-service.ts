import { createHash, timingSafeEqual } from 'node:crypto';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { invalidArgument, permissionDenied, unauthenticated } from '@infermesh/errors';
import type { billing } from '@infermesh/proto';
import type { CallContext, ServiceImpl } from '@infermesh/rpc';
import { bearerToken } from '@infermesh/auth';
import type { LedgerDigest } from './digest.js';
import type { ExportedLine } from './usage-export.js';
import type { TenantUsage } from './usage-query.js';

/** Resolves an `authorization` header value to the caller's tenant; throws UNAUTHENTICATED. */
export type Authenticate = (headerValue: string | undefined) => { tenantId: string };

/** What the handlers need from the ledger: the domain, without gRPC. */
export interface BillingQueries {
  usage(tenantId: string, startMicros?: bigint, endMicros?: bigint): Promise<TenantUsage>;
  digest(): Promise<LedgerDigest>;
  /** Pages of a tenant's lines in [start, end), ordered by time then event id. */
  exportLines(tenantId: string, startMicros?: bigint, endMicros?: bigint): AsyncIterable<ExportedLine[]>;
  currency: string;
}

const toMicros = (t: Timestamp | undefined): bigint | undefined =>
  t === undefined ? undefined : t.seconds * 1_000_000n + BigInt(Math.floor(t.nanos / 1000));

const toTimestamp = (us: bigint): { seconds: bigint; nanos: number } => {
  const seconds = us >= 0n ? us / 1_000_000n : (us - 999_999n) / 1_000_000n;
  return { seconds, nanos: Number(us - seconds * 1_000_000n) * 1000 };
};

/** The caller's tenant and a validated [start, end) window, shared by GetUsage and ExportUsage. */
function usageScope(req: { tenantId: string; startTime?: Timestamp | undefined; endTime?: Timestamp | undefined }, ctx: CallContext, authenticate: Authenticate) {
  const caller = authenticate(ctx.header('authorization'));
  if (req.tenantId !== '' && req.tenantId !== caller.tenantId) throw permissionDenied('you may only read your own tenant\'s usage');
  const start = toMicros(req.startTime);
  const end = toMicros(req.endTime);
  if (start !== undefined && end !== undefined && end <= start) throw invalidArgument('end_time must be after start_time', 'end_time');
  return { tenantId: caller.tenantId, start, end };
}

const sha = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/**
 * Admin check for GetLedgerDigest: "Bearer <token>" equal to the configured admin token,
 * compared in constant time over hashes. No token configured means nobody is admin.
 */
function requireAdmin(header: string | undefined, adminToken: string | undefined): void {
  const token = bearerToken(header);
  if (token === undefined) throw unauthenticated('missing admin token: send "authorization: Bearer <admin token>"');
  if (adminToken === undefined || adminToken === '' || !timingSafeEqual(sha(token), sha(adminToken))) {
    throw permissionDenied('GetLedgerDigest requires the admin token');
  }
}

/** The Billing gRPC service: translates wire messages to ledger queries and back. */
export function billingService(queries: BillingQueries, authenticate: Authenticate, adminToken: string | undefined): ServiceImpl<typeof billing.Billing> {
  return {
    async getUsage(req: billing.GetUsageRequest, ctx: CallContext) {
      const { tenantId, start, end } = usageScope(req, ctx, authenticate);
      const usage = await queries.usage(tenantId, start, end);
      return { tenantId: usage.tenantId, currency: queries.currency, models: usage.models, total: usage.total };
    },
    async getLedgerDigest(_req: billing.GetLedgerDigestRequest, ctx: CallContext) {
      requireAdmin(ctx.header('authorization'), adminToken);
      const d = await queries.digest();
      return { lines: d.lines, totalAmountMicros: d.totalAmountMicros, sha256: d.sha256, consumedOffset: d.consumedOffset, positions: d.positions };
    },
    async *exportUsage(req: billing.ExportUsageRequest, ctx: CallContext) {
      const { tenantId, start, end } = usageScope(req, ctx, authenticate);
      for await (const page of queries.exportLines(tenantId, start, end)) {
        if (ctx.signal.aborted) return;
        yield { lines: page.map((l) => ({ ...l, occurredAt: toTimestamp(l.occurredAtMicros) })) };
      }
    },
  };
}
