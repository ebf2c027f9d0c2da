import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { KafkaTopics, SCHEMA_VERSION, toRecord } from '@infermesh/event-log';
import { startKafka, type KafkaServer } from '@infermesh/infra';
import { events } from '@infermesh/proto';
import { Kafka, logLevel } from 'kafkajs';
import { pythonRatedUsageTotals, PythonConsumerError } from './python-rated-usage.js';
import { totalsOfRatedEnvelopes } from './rated-usage-totals.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const TENANTS = ['tenant-a', 'tenant-b', 'tenant-c'] as const;
const MODELS = ['qwen3-8b', 'gpt-oss-20b', 'llama-3.1-8b-instruct'] as const;

/** A deterministic `usage.rated` envelope, as billing publishes it (i = line number). */
function rated(i: number): events.Envelope {
  const tenantId = TENANTS[i % 3]!;
  const prompt = 100 + ((i * 37) % 900);
  return create(events.EnvelopeSchema, {
    id: `01JRATED${String(i).padStart(18, '0')}`,
    type: 'usage.rated',
    schemaVersion: SCHEMA_VERSION,
    time: timestampFromMs(T0 + i * 1000),
    producer: 'billing/it',
    tenantId,
    requestId: `req-${i}`,
    sequence: BigInt(i + 1),
    payload: {
      case: 'usageRated',
      value: {
        sourceEventId: `01JUSAGE${String(i).padStart(18, '0')}`,
        model: MODELS[(i >> 2) % 3]!,
        usage: { promptTokens: prompt, cachedPromptTokens: (i * 13) % prompt, completionTokens: 10 + ((i * 7) % 300) },
        // One line above 2^53 proves the totals stay exact through JSON.
        amountMicros: i === 5 ? 9_007_199_254_740_993n : BigInt(50 + ((i * 101) % 5000)),
        currency: 'USD',
        priceBookVersion: 'default-1',
        occurredAt: timestampFromMs(T0 + i * 1000),
      },
    },
  });
}

describe('the Python rated-usage consumer', () => {
  let kafka: KafkaServer;
  const published: events.Envelope[] = [];

  beforeAll(async () => {
    kafka = await startKafka();
    const client = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: KafkaTopics.ratedUsage, numPartitions: 3 }] });
    await admin.disconnect();
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const lines = Array.from({ length: 300 }, (_, i) => rated(i));
      // Billing re-publishes after a crash: identical bytes, same key, later offsets.
      const republished = lines.filter((_, i) => i % 7 === 0);
      for (const batch of [lines.slice(0, 150), republished, lines.slice(150)]) {
        const records = batch.map(toRecord);
        await producer.send({ topic: KafkaTopics.ratedUsage, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })) });
        published.push(...batch);
      }
    } finally {
      await producer.disconnect();
    }
  }, 180_000);
  afterAll(async () => {
    await kafka?.stop();
  });

  it('reads every partition and gets the same per-tenant totals as TypeScript, each line counted once', async () => {
    const got = await pythonRatedUsageTotals(kafka.brokers, { idleMs: 10_000 });
    const want = totalsOfRatedEnvelopes(published);
    expect(got.complete).toBe(true);
    expect(got.records).toBe(published.length);
    expect(got.duplicates).toBe(published.length - 300);
    expect(got.skipped).toBe(0);
    expect([...got.tenants.keys()].sort()).toEqual([...TENANTS]);
    for (const tenant of TENANTS) expect(got.tenants.get(tenant)).toEqual(want.get(tenant));
    expect(got.tenants.get('tenant-c')?.requests).toBe(100n);
    expect(got.tenants.get('tenant-c')!.amountMicros > 9_007_199_254_740_993n).toBe(true);
  }, 120_000);

  it('returns empty totals for a topic that does not exist', async () => {
    const got = await pythonRatedUsageTotals(kafka.brokers, { topic: 'infermesh.absent.v1' });
    expect(got).toMatchObject({ records: 0, complete: true });
    expect(got.tenants.size).toBe(0);
  }, 60_000);

  it('says how to provision the venv when it is missing', async () => {
    const missing = pythonRatedUsageTotals(kafka.brokers, { python: '/nonexistent/venv/bin/python' });
    await expect(missing).rejects.toBeInstanceOf(PythonConsumerError);
    await expect(missing).rejects.toThrow(/ensure-python-refs\.sh/);
  });
});
