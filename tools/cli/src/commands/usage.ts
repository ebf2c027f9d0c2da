import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Timestamp } from '@bufbuild/protobuf/wkt';
import { Code, codeName, invalidArgument, MeshError } from '@infermesh/errors';
import { billing } from '@infermesh/proto';
import { createClient } from '@infermesh/rpc';
import { stringify } from 'csv-stringify';

export interface UsageExportFlags {
  /** The tenant's API key: the export is of the key's own tenant. */
  tenantKey: string;
  /** Billing gRPC address, host:port. */
  address: string;
  /** Inclusive start of the time-of-use window (ISO 8601; a date alone is midnight UTC). */
  from?: string;
  /** Exclusive end of the window (ISO 8601). */
  to?: string;
  /** Write the CSV to this file (atomically: a failed export leaves no file); stdout otherwise. */
  out?: string;
  /** The whole export's deadline, ms. Default 10 minutes. */
  timeoutMs?: number;
}

/** The CSV columns, in order: one ledger line per row, integers exact, times ISO 8601 UTC with microseconds. */
export const USAGE_CSV_COLUMNS = [
  'event_id', 'request_id', 'model', 'occurred_at', 'prompt_tokens', 'cached_prompt_tokens',
  'completion_tokens', 'amount_micros', 'currency', 'price_book_version',
] as const;

/**
 * `infermesh usage export`: streams the caller's ledger lines (Billing.ExportUsage, authorized by
 * the tenant's API key) as CSV with a header row, page by page, without holding the export in
 * memory. Returns the exit code: 0 when every line was written, 1 on any error, which is printed on
 * `stderr` as the gRPC status name and message (never the key).
 */
export async function usageExportCommand(flags: UsageExportFlags, io: { stdout: Writable; stderr: Writable } = process): Promise<number> {
  try {
    const request = {
      ...(flags.from === undefined ? {} : { startTime: parseIsoTimestamp(flags.from, 'from') }),
      ...(flags.to === undefined ? {} : { endTime: parseIsoTimestamp(flags.to, 'to') }),
    };
    if (flags.tenantKey === '') throw invalidArgument('a tenant API key is required (--tenant-key or INFERMESH_API_KEY)', 'tenant-key');
    if (flags.address === '') throw invalidArgument('the billing address is required (--address or INFERMESH_BILLING_ADDRESS)', 'address');
    const client = createClient(billing.Billing, flags.address, { name: 'billing' });
    try {
      const pages = client.exportUsage(request, { timeoutMs: flags.timeoutMs ?? 600_000, headers: { authorization: `Bearer ${flags.tenantKey}` } });
      const csv = stringify({ header: true, columns: [...USAGE_CSV_COLUMNS] });
      const rows = (async function* () {
        for await (const page of pages) for (const line of page.lines) yield usageCsvRow(line);
      })();
      if (flags.out === undefined) {
        await pipeline(rows, csv, io.stdout, { end: false });
      } else {
        await writeAtomically(flags.out, rows, csv);
      }
    } finally {
      client.close();
    }
    return 0;
  } catch (err) {
    const e = MeshError.from(err, Code.Unknown);
    io.stderr.write(`infermesh usage export: ${codeName(e.code)}: ${e.message}\n`);
    return 1;
  }
}

/** One ledger line as a CSV record keyed by column (strings: bigints stay exact). */
export function usageCsvRow(line: billing.UsageLine): Record<(typeof USAGE_CSV_COLUMNS)[number], string> {
  return {
    event_id: line.eventId,
    request_id: line.requestId,
    model: line.model,
    occurred_at: line.occurredAt === undefined ? '' : isoMicros(line.occurredAt),
    prompt_tokens: line.promptTokens.toString(),
    cached_prompt_tokens: line.cachedPromptTokens.toString(),
    completion_tokens: line.completionTokens.toString(),
    amount_micros: line.amountMicros.toString(),
    currency: line.currency,
    price_book_version: line.priceBookVersion,
  };
}

/** "2026-03-01T12:00:00.123456Z": UTC, always six fractional digits (the ledger's resolution). */
export function isoMicros(t: Timestamp): string {
  const whole = new Date(Number(t.seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(Math.floor(t.nanos / 1000)).padStart(6, '0')}Z`;
}

/**
 * An ISO 8601 instant as a protobuf Timestamp, keeping fractional seconds to the nanosecond:
 * `2026-03-01`, `2026-03-01T10:00:00Z`, `2026-03-01T10:00:00.000123+02:00`. A time without a zone
 * is refused (its meaning would depend on the machine). INVALID_ARGUMENT naming the flag otherwise.
 */
export function parseIsoTimestamp(text: string, flag: string): { seconds: bigint; nanos: number } {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  const ms = dateOnly ? Date.parse(`${text}T00:00:00Z`) : m === null ? Number.NaN : Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(ms)) throw invalidArgument(`--${flag} must be an ISO 8601 date or time with a zone, e.g. 2026-03-01T00:00:00Z (got "${text}")`, flag);
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: Number((m?.[2] ?? '').padEnd(9, '0')) };
}

/** CSV into `path` via a sibling temporary file renamed on success; removed on failure. */
async function writeAtomically(path: string, rows: AsyncIterable<Record<string, string>>, csv: ReturnType<typeof stringify>): Promise<void> {
  const tmp = `${path}.partial-${process.pid}`;
  const file = createWriteStream(tmp, { flags: 'wx' });
  await once(file, 'open');
  try {
    await pipeline(rows, csv, file);
    await rename(tmp, path);
  } catch (err) {
    file.destroy();
    await rm(tmp, { force: true });
    throw err;
  }
}
