import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary } from '@bufbuild/protobuf';
import { Code } from '@infermesh/errors';
import { startKafka, type KafkaServer } from '@infermesh/infra';
import { events } from '@infermesh/proto';
import { Kafka, logLevel } from 'kafkajs';
import type { EventDraft } from '../event-log.js';
import { Producer } from '../producer.js';
import { usageDraft } from '../test-fixtures.spec.js';
import { verifyLog } from '../verify.js';
import { KafkaEventLog } from './kafka-event-log.js';
import { KafkaTopics } from './topics.js';

interface Consumed {
  topic: string;
  partition: number;
  offset: bigint;
  key: string;
  headers: Record<string, string>;
  envelope: events.Envelope;
}

/** Reads `topics` from the beginning until `count` records arrived (or `timeoutMs`). */
async function consume(brokers: string[], topics: string[], count: number, timeoutMs = 30_000): Promise<Consumed[]> {
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `test-${Math.random().toString(36).slice(2)}` });
  const got: Consumed[] = [];
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        got.push({
          topic,
          partition,
          offset: BigInt(message.offset),
          key: message.key?.toString() ?? '',
          headers,
          envelope: fromBinary(events.EnvelopeSchema, message.value ?? new Uint8Array()),
        });
        if (new Set(got.map((c) => c.envelope.id)).size >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return got;
}

function lifecycle(requestId: string, tenantId: string, step: 'accepted' | 'completed'): EventDraft {
  const payload: EventDraft['payload'] =
    step === 'accepted' ? { case: 'requestAccepted', value: { model: 'qwen3-8b' } } : { case: 'requestCompleted', value: {} };
  return { tenantId, requestId, traceId: '4bf92f3577b34da6a3ce929d0e0e4736', payload };
}

describe('KafkaEventLog against a real broker', () => {
  let kafka: KafkaServer;
  const dir = mkdtempSync(join(tmpdir(), 'infermesh-kafka-log-'));
  beforeAll(async () => {
    kafka = await startKafka();
  }, 120_000);
  afterAll(async () => {
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes each event to its versioned topic, keyed by request or tenant, with trace headers', async () => {
    const log = await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir: join(dir, 'a'), partitions: 3 });
    const producer = await Producer.open(log, 'ingress/a');
    const drafts: EventDraft[] = [];
    for (let r = 0; r < 6; r++) drafts.push(lifecycle(`req-${r}`, r % 2 ? 'tenant-a' : 'tenant-b', 'accepted'));
    for (let r = 0; r < 6; r++) {
      drafts.push(lifecycle(`req-${r}`, r % 2 ? 'tenant-a' : 'tenant-b', 'completed'));
      drafts.push(usageDraft(r, r % 2 ? 'tenant-a' : 'tenant-b'));
    }
    for (const d of drafts) await producer.append([d]);
    expect(await log.flush(30_000)).toBe(true);
    expect(log.pendingCount()).toBe(0n);

    const got = await consume(kafka.brokers, [KafkaTopics.requestLifecycle, KafkaTopics.usage], drafts.length);
    expect(got).toHaveLength(drafts.length);
    for (const c of got) {
      expect(c.headers['infermesh-event-id']).toBe(c.envelope.id);
      expect(c.headers['traceparent']).toMatch(new RegExp(`^00-${c.envelope.traceId}-[0-9a-f]{16}-01$`));
      expect(c.topic).toBe(c.envelope.type === 'usage.recorded' ? KafkaTopics.usage : KafkaTopics.requestLifecycle);
      expect(c.key).toBe(c.topic === KafkaTopics.usage ? c.envelope.tenantId : c.envelope.requestId);
    }
    const partitionsOf = (pred: (c: Consumed) => boolean): Set<number> => new Set(got.filter(pred).map((c) => c.partition));
    for (let r = 0; r < 6; r++) {
      const mine = got.filter((c) => c.envelope.requestId === `req-${r}` && c.topic === KafkaTopics.requestLifecycle);
      expect(mine.map((c) => c.envelope.type)).toEqual(['request.accepted', 'request.completed']);
      expect(partitionsOf((c) => mine.includes(c)).size).toBe(1);
    }
    expect(partitionsOf((c) => c.topic === KafkaTopics.usage && c.envelope.tenantId === 'tenant-a').size).toBe(1);

    const bySequence = [...got].sort((a, b) => Number(a.envelope.sequence - b.envelope.sequence));
    const verdict = verifyLog(bySequence.map((c, i) => ({ offset: BigInt(i), envelope: c.envelope })));
    expect(verdict.ok).toBe(true);
    await producer.close();
    await log.close();
  }, 90_000);

  it('keeps appending while the broker is down, fails closed when the outbox is full, and publishes exactly once after', async () => {
    const outboxDir = join(dir, 'b');
    let log = await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir, partitions: 3, maxPendingEvents: 40, closeFlushMs: 200 });
    let producer = await Producer.open(log, 'ingress/b');
    await producer.append([usageDraft(0, 'tenant-c')]);
    expect(await log.flush(30_000)).toBe(true);

    await kafka.stop({ keepData: true });
    for (let i = 1; i <= 30; i++) await producer.append([usageDraft(i, 'tenant-c')]);
    expect(log.pendingCount()).toBe(30n);
    const tooMany = Array.from({ length: 20 }, (_, i) => usageDraft(100 + i, 'tenant-c'));
    await expect(producer.append(tooMany)).rejects.toMatchObject({ code: Code.Unavailable });
    await producer.close();
    await log.close();

    await kafka.start();
    log = await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir, partitions: 3, maxPendingEvents: 40 });
    producer = await Producer.open(log, 'ingress/b');
    expect(producer.lastSequence()).toBe(31n);
    expect(await log.flush(60_000)).toBe(true);

    // Publishing is at least once: a batch sent but unacknowledged when the broker went away is sent
    // again by the reopened relay. Consumers deduplicate by envelope id (billing does it in the same
    // PostgreSQL transaction as the ledger), and after that every event is there once, in order.
    const got = (await consume(kafka.brokers, [KafkaTopics.usage], 31)).filter((c) => c.envelope.producer === 'ingress/b');
    const firstById = new Map<string, Consumed>();
    for (const c of got) if (!firstById.has(c.envelope.id)) firstById.set(c.envelope.id, c);
    expect(firstById.size).toBe(31);
    expect([...firstById.values()].map((c) => c.envelope.sequence)).toEqual(Array.from({ length: 31 }, (_, i) => BigInt(i + 1)));
    await producer.close();
    await log.close();
  }, 120_000);

  it('refuses, without storing it, an event type no topic carries', async () => {
    const log = await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir: join(dir, 'c') });
    const unknown = create(events.EnvelopeSchema, { id: '01J0000000000000000000000', type: 'audit.unknown', producer: 'x/1', sequence: 1n });
    await expect(log.append([unknown])).rejects.toMatchObject({ code: Code.InvalidArgument });
    expect(log.endOffset()).toBe(0n);
    await log.close();
  });
});
