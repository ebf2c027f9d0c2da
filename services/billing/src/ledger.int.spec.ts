import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileEventLog, Producer, scanLog, type EventDraft, type LogRecord } from '@infermesh/event-log';
import { LedgerConsumer } from './consumer.js';
import { ledgerDigest } from './digest.js';
import { defaultPriceBook, PriceBook } from './price-book.js';
import { replayLedger } from './replay.js';
import { migrate } from './store/migrate.js';
import { openLedgerStore } from './store/open-ledger.js';
import type { SqlDb } from './store/sql.js';

const prices = new PriceBook(defaultPriceBook());
const models = ['llama-3.1-8b-instruct', 'qwen3-8b', 'gpt-oss-20b'];
let root: string;
let log: FileEventLog;

/** Request i: accepted (not charged) then its usage: tenant, model and tokens vary with i. */
function requestEvents(i: number): EventDraft[] {
  const tenantId = i % 3 === 0 ? 'tenant-b' : 'tenant-a';
  const base = { tenantId, requestId: `req-${i}` };
  return [
    { ...base, payload: { case: 'requestAccepted', value: { model: models[i % 3]!, maxTokens: 64 } } },
    { ...base, payload: { case: 'usageRecorded', value: {
      model: models[i % 3]!, usage: { promptTokens: 100 + i * 7, cachedPromptTokens: (i * 3) % 50, completionTokens: 10 + i },
      acceptedAt: { seconds: 1_750_000_000n + BigInt(i), nanos: 500_000 } } } },
  ];
}

/** The expected total, computed independently of the ledger code from the same formula. */
function expectedTotal(n: number): bigint {
  const rates: Record<string, [bigint, bigint, bigint]> = {
    'llama-3.1-8b-instruct': [100_000n, 25_000n, 300_000n], 'qwen3-8b': [120_000n, 30_000n, 360_000n], 'gpt-oss-20b': [150_000n, 37_500n, 600_000n],
  };
  let total = 0n;
  for (let i = 0; i < n; i++) {
    const [inp, cac, out] = rates[models[i % 3]!]!;
    const p = BigInt(100 + i * 7), c = BigInt((i * 3) % 50), o = BigInt(10 + i);
    total += ((p - c) * inp + c * cac + o * out + 500_000n) / 1_000_000n;
  }
  return total;
}

async function lineIds(db: SqlDb): Promise<string[]> {
  return (await db.query<{ event_id: string }>('SELECT event_id FROM ledger_lines ORDER BY event_id')).rows.map((r) => r.event_id);
}

const consumerOn = (db: SqlDb, batchSize: number): LedgerConsumer =>
  new LedgerConsumer(db, log, prices, { name: 'billing-ledger', batchSize, idleWaitMs: 50, retryDelayMs: 10 });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'billing-'));
  log = await FileEventLog.open(join(root, 'events'));
  const p = await Producer.open(log, 'ingress/t1');
  for (let i = 0; i < 30; i++) await p.append(requestEvents(i));
  await p.close();
});
afterAll(async () => {
  await log.close();
  await rm(root, { recursive: true, force: true });
});

describe('ledger consumer (PGlite on disk)', () => {
  it('charges exactly once across a restart part-way, a lost position and duplicate deliveries; replay matches', async () => {
    const dataDir = join(root, 'ledger');
    const usageIds: string[] = [];
    for await (const r of scanLog(log)) if (r.envelope.type === 'usage.recorded') usageIds.push(r.envelope.id);
    usageIds.sort();

    let db = await openLedgerStore(dataDir, defaultPriceBook());
    let consumer = consumerOn(db, 7);
    expect(await consumer.init()).toBe(0n);
    for (let i = 0; i < 3; i++) await consumer.step();
    expect(consumer.position()).toBe(21n);
    expect((await lineIds(db)).length).toBe(10);
    await db.close();

    db = await openLedgerStore(dataDir, defaultPriceBook());
    expect(await migrate(db)).toEqual([]);
    consumer = consumerOn(db, 7);
    expect(await consumer.init()).toBe(21n);
    consumer.start();
    await consumer.waitForOffset(log.endOffset(), 10_000);
    await consumer.stop();
    expect(await lineIds(db)).toEqual(usageIds);
    let digest = await ledgerDigest(db, 'billing-ledger');
    expect(digest).toMatchObject({ lines: 30n, totalAmountMicros: expectedTotal(30), consumedOffset: 60n });

    // A position lost or rolled back (as a non-transactional consumer could suffer) re-reads old events: no doubles.
    await db.query("UPDATE consumer_positions SET next_offset = 5 WHERE consumer = 'billing-ledger'");
    consumer = consumerOn(db, 9);
    await consumer.init();
    await consumer.catchUp(log.endOffset());
    // The same envelopes delivered again (a producer retry after an ambiguous failure).
    const again: LogRecord[] = [];
    for await (const r of scanLog(log, 10n, 20n)) again.push(r);
    await log.append(again.map((r) => r.envelope));
    await consumer.catchUp(log.endOffset());
    expect(await lineIds(db)).toEqual(usageIds);
    digest = await ledgerDigest(db, 'billing-ledger');
    expect(digest).toMatchObject({ lines: 30n, totalAmountMicros: expectedTotal(30), consumedOffset: 70n });

    const replayed = await replayLedger(log, { untilOffset: digest.consumedOffset, batchSize: 13 });
    expect(replayed).toEqual(digest);
    const partial = await replayLedger(log, { untilOffset: 20n });
    expect(partial.lines).toBe(10n);
    expect(Buffer.from(partial.sha256)).not.toEqual(Buffer.from(digest.sha256));
    await db.close();
  });

  it('fences a second consumer instance of the same name', async () => {
    const db = await openLedgerStore(undefined, defaultPriceBook());
    const a = consumerOn(db, 4);
    const b = consumerOn(db, 4);
    await a.init();
    await b.init();
    await a.step();
    await expect(b.step()).rejects.toMatchObject({ code: 10 });
    expect((await lineIds(db)).length).toBe(2);
    await db.close();
  });
});
