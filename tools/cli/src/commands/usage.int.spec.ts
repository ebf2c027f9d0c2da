import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { TenantDirectory } from '@infermesh/auth';
import { defaultBillingOptions, defaultPriceBook, startBilling, type RunningBilling } from '@infermesh/billing';
import { MemoryEventLog, Producer, type EventDraft } from '@infermesh/event-log';
import { createLogger } from '@infermesh/telemetry';
import { USAGE_CSV_COLUMNS, usageExportCommand } from './usage.js';

const T0 = Date.parse('2026-03-01T00:00:00Z') / 1000;
const ODD_MODEL = 'acme "large", v2';
const dir = mkdtempSync(join(tmpdir(), 'infermesh-usage-export-'));
let log: MemoryEventLog;
let running: RunningBilling;

/** RFC 4180: quoted fields may hold commas, doubled quotes and newlines. Test-side reader only. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n') {
      endField();
      rows.push(row);
      row = [];
    } else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

const usage = (tenantId: string, i: number, model: string, minutes: number): EventDraft => ({
  tenantId,
  requestId: `req-${tenantId}-${i}`,
  payload: { case: 'usageRecorded', value: {
    model,
    usage: { promptTokens: 1000 + i, cachedPromptTokens: 400, completionTokens: 250 },
    acceptedAt: { seconds: BigInt(T0 + minutes * 60), nanos: 123_456_000 },
  } },
});

async function exportCsv(flags: Partial<Parameters<typeof usageExportCommand>[0]>): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await usageExportCommand({ tenantKey: 'key-a', address: running.address, ...flags }, { stdout, stderr });
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

beforeAll(async () => {
  log = new MemoryEventLog();
  const tenants = new TenantDirectory();
  tenants.addKey('tenant-a', 'key-a');
  tenants.addKey('tenant-b', 'key-b');
  const odd = { ...defaultPriceBook()[0]!, model: ODD_MODEL };
  running = await startBilling(
    { ...defaultBillingOptions(), priceBook: [...defaultPriceBook(), odd], batchSize: 50, idleWaitMs: 50 },
    { log, logger: createLogger({ service: 'usage-export-test', level: 'silent' }), authenticate: (h) => tenants.authenticateHeader(h) },
  );
  const p = await Producer.open(log, 'ingress/it');
  await p.append([
    usage('tenant-a', 1, 'qwen3-8b', 0),
    usage('tenant-a', 2, ODD_MODEL, 10),
    usage('tenant-b', 1, 'qwen3-8b', 5),
    usage('tenant-a', 3, 'gpt-oss-20b', 20),
  ]);
  await running.waitForOffset(log.endOffset(), 10_000);
});
afterAll(async () => {
  await running.stop(1000);
  await log.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('infermesh usage export', () => {
  it("writes the caller's lines as CSV with a header, in time order, a model with a comma and quotes intact", async () => {
    const file = join(dir, 'a.csv');
    const res = await exportCsv({ out: file });
    expect(res).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"acme ""large"", v2"');
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([...USAGE_CSV_COLUMNS]);
    const byColumn = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
    expect(byColumn.map((r) => [r['request_id'], r['model'], r['occurred_at'], r['prompt_tokens'], r['cached_prompt_tokens'], r['completion_tokens'], r['currency']])).toEqual([
      ['req-tenant-a-1', 'qwen3-8b', '2026-03-01T00:00:00.123456Z', '1001', '400', '250', 'USD'],
      ['req-tenant-a-2', ODD_MODEL, '2026-03-01T00:10:00.123456Z', '1002', '400', '250', 'USD'],
      ['req-tenant-a-3', 'gpt-oss-20b', '2026-03-01T00:20:00.123456Z', '1003', '400', '250', 'USD'],
    ]);
    // The odd model is priced like qwen3-8b (same rates): the same tokens give the same amount.
    expect(byColumn.map((r) => r['price_book_version'])).toEqual(['default-1', 'default-1', 'default-1']);
    expect(Number(byColumn[0]!['amount_micros'])).toBeGreaterThan(0);
    expect(new Set(byColumn.map((r) => r['event_id'])).size).toBe(3);
    for (const r of byColumn) expect(r['event_id']).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it('writes to stdout when there is no --out, honouring the [from, to) window', async () => {
    const res = await exportCsv({ from: '2026-03-01T00:05:00Z', to: '2026-03-01T00:20:00.123456Z' });
    expect(res.code).toBe(0);
    const rows = parseCsv(res.stdout);
    expect(rows[0]).toEqual([...USAGE_CSV_COLUMNS]);
    expect(rows.slice(1).map((r) => r[1])).toEqual(['req-tenant-a-2']);
    const none = await exportCsv({ from: '2026-04-01' });
    expect(parseCsv(none.stdout)).toEqual([[...USAGE_CSV_COLUMNS]]);
  });

  it('prints the gRPC status and exits 1 on a bad key, leaving no file behind', async () => {
    const file = join(dir, 'denied.csv');
    const res = await exportCsv({ tenantKey: 'not-a-key', out: file });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^infermesh usage export: UNAUTHENTICATED: /);
    expect(res.stderr).not.toContain('not-a-key');
    expect(existsSync(file)).toBe(false);
  });

  it('refuses a malformed window before calling billing', async () => {
    const res = await exportCsv({ from: '2026-03-01 10:00' });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/INVALID_ARGUMENT: --from must be an ISO 8601/);
  });
});
