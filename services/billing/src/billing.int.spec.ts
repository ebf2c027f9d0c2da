import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { TenantDirectory } from '@infermesh/auth';
import { MemoryEventLog, Producer, type EventDraft } from '@infermesh/event-log';
import { billing } from '@infermesh/proto';
import { createClient, type Client } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultBillingOptions, replayLedger, startBilling, type RunningBilling } from './index.js';

const ADMIN = 'admin-secret-token';
const T0 = Date.parse('2025-06-01T00:00:00Z');
let log: MemoryEventLog;
let running: RunningBilling;
let client: Client<typeof billing.Billing>;

const usage = (tenantId: string, i: number, model: string, minutes: number): EventDraft => ({
  tenantId,
  requestId: `req-${tenantId}-${i}`,
  payload: { case: 'usageRecorded', value: {
    model, usage: { promptTokens: 1000, cachedPromptTokens: 400, completionTokens: 250 }, acceptedAt: timestampFromMs(T0 + minutes * 60_000),
  } },
});
const as = (key: string) => ({ headers: { authorization: `Bearer ${key}` } });

beforeAll(async () => {
  log = new MemoryEventLog();
  const tenants = new TenantDirectory();
  tenants.addKey('tenant-a', 'key-a');
  tenants.addKey('tenant-b', 'key-b');
  running = await startBilling(
    { ...defaultBillingOptions(), adminToken: ADMIN, batchSize: 3, idleWaitMs: 100 },
    { log, logger: createLogger({ service: 'billing-test', level: 'silent' }), authenticate: (h) => tenants.authenticateHeader(h) },
  );
  client = createClient(billing.Billing, running.address, { name: 'billing', timeoutMs: 5000 });
  const p = await Producer.open(log, 'ingress/it');
  await p.append([
    usage('tenant-a', 1, 'qwen3-8b', 0), usage('tenant-a', 2, 'qwen3-8b', 10), usage('tenant-a', 3, 'gpt-oss-20b', 20),
    { tenantId: 'tenant-a', requestId: 'req-x', payload: { case: 'requestQueued', value: {} } },
    usage('tenant-b', 1, 'qwen3-8b', 5),
  ]);
  await running.waitForOffset(log.endOffset(), 10_000);
});
afterAll(async () => {
  client.close();
  await running.stop(1000);
  await log.close();
});

describe('Billing over gRPC', () => {
  it('returns the caller\'s usage per model and in total', async () => {
    const res = await client.getUsage({}, as('key-a'));
    // qwen3-8b: 174 micro-USD per request (see price-book.unit.spec); gpt-oss-20b: 600*.15 + 400*.0375 + 250*.6 = 255
    expect(res.tenantId).toBe('tenant-a');
    expect(res.currency).toBe('USD');
    expect(res.models.map((m) => [m.model, m.requests, m.promptTokens, m.cachedPromptTokens, m.completionTokens, m.amountMicros])).toEqual([
      ['gpt-oss-20b', 1n, 1000n, 400n, 250n, 255n],
      ['qwen3-8b', 2n, 2000n, 800n, 500n, 348n],
    ]);
    expect(res.total).toMatchObject({ model: '', requests: 3n, amountMicros: 603n });
    expect((await client.getUsage({ tenantId: 'tenant-a' }, as('key-a'))).total?.requests).toBe(3n);
  });

  it('filters by [start, end)', async () => {
    const res = await client.getUsage({ startTime: timestampFromMs(T0 + 10 * 60_000), endTime: timestampFromMs(T0 + 20 * 60_000) }, as('key-a'));
    expect(res.models.map((m) => [m.model, m.requests])).toEqual([['qwen3-8b', 1n]]);
    await expect(client.getUsage({ startTime: timestampFromMs(T0), endTime: timestampFromMs(T0) }, as('key-a'))).rejects.toMatchObject({ code: 3 });
  });

  it('isolates tenants: PERMISSION_DENIED for another tenant, UNAUTHENTICATED without a valid key', async () => {
    await expect(client.getUsage({ tenantId: 'tenant-b' }, as('key-a'))).rejects.toMatchObject({ code: 7 });
    await expect(client.getUsage({})).rejects.toMatchObject({ code: 16 });
    await expect(client.getUsage({}, as('wrong-key'))).rejects.toMatchObject({ code: 16 });
    expect((await client.getUsage({}, as('key-b'))).total).toMatchObject({ requests: 1n, amountMicros: 174n });
  });

  it('exports the caller\'s lines in time order, paged, with the same window and tenant rules as GetUsage', async () => {
    const lines = [];
    for await (const page of client.exportUsage({}, as('key-a'))) lines.push(...page.lines);
    expect(lines.map((l) => [l.requestId, l.model, l.amountMicros, l.promptTokens, l.cachedPromptTokens, l.completionTokens])).toEqual([
      ['req-tenant-a-1', 'qwen3-8b', 174n, 1000n, 400n, 250n],
      ['req-tenant-a-2', 'qwen3-8b', 174n, 1000n, 400n, 250n],
      ['req-tenant-a-3', 'gpt-oss-20b', 255n, 1000n, 400n, 250n],
    ]);
    expect(lines[1]?.occurredAt?.seconds).toBe(BigInt((T0 + 10 * 60_000) / 1000));
    expect(new Set(lines.map((l) => l.eventId)).size).toBe(3);
    const windowed = [];
    for await (const page of client.exportUsage({ startTime: timestampFromMs(T0 + 10 * 60_000) }, as('key-a'))) windowed.push(...page.lines);
    expect(windowed.map((l) => l.requestId)).toEqual(['req-tenant-a-2', 'req-tenant-a-3']);
    const denied = async () => { for await (const _ of client.exportUsage({ tenantId: 'tenant-b' }, as('key-a'))) void _; };
    await expect(denied()).rejects.toMatchObject({ code: 7 });
  });

  it('serves the ledger digest to the admin only, equal to a replay of the log', async () => {
    await expect(client.getLedgerDigest({}, as('key-a'))).rejects.toMatchObject({ code: 7 });
    await expect(client.getLedgerDigest({})).rejects.toMatchObject({ code: 16 });
    const live = await client.getLedgerDigest({}, as(ADMIN));
    expect(live).toMatchObject({ lines: 4n, totalAmountMicros: 777n, consumedOffset: 5n });
    const replayed = await replayLedger(log, { untilOffset: live.consumedOffset });
    expect(replayed.lines).toBe(live.lines);
    expect(replayed.totalAmountMicros).toBe(live.totalAmountMicros);
    expect(Buffer.from(replayed.sha256).toString('hex')).toBe(Buffer.from(live.sha256).toString('hex'));
  });
});
