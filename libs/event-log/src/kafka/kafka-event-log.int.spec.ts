import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { create, fromBinary } from '@bufbuild/protobuf';
import { Code } from '@infermesh/errors';
import { startKafka, type KafkaServer } from '@infermesh/infra';
import { events } from '@infermesh/proto';
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import type { EventDraft } from '../event-log.js';
import { Producer } from '../producer.js';
import { usageDraft } from '../test-fixtures.spec.js';
import { verifyLog } from '../verify.js';
import { OUTBOX_CURSOR_TOPIC } from './cursor-topic.js';
import { KafkaEventLog } from './kafka-event-log.js';
import { readTopics } from './topic-reader.js';
import { KafkaTopics } from './topics.js';

interface Consumed {
  topic: string;
  partition: number;
  offset: bigint;
  key: string;
  headers: Record<string, string>;
  envelope: events.Envelope;
}

/**
 * How much longer than on a quiet machine a deadline should be: INFERMESH_TEST_TIME_SCALE when set,
 * else the 1-minute load average per core, between 1 and 4 (CI and dev boxes here have 2 shared cores).
 */
function timeScale(): number {
  const fromEnv = Number(process.env['INFERMESH_TEST_TIME_SCALE']);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  return Math.min(4, Math.max(1, (loadavg()[0] ?? 0) / availableParallelism()));
}
const scale = timeScale();

/** The envelope ids a consumer must see, each with a label (producer#sequence) for failure messages. */
async function expectedIds(log: KafkaEventLog): Promise<Map<string, string>> {
  const { records } = await log.read(0n, 10_000);
  return new Map(records.map((r) => [r.envelope.id, `${r.envelope.producer}#${r.envelope.sequence}`]));
}

/**
 * Reads `topics` from the beginning (new consumer group, isolation read_committed) until every id
 * in `expected` was seen, and returns the records of those ids, repeats included. Other
 * records on the topics (other tests' producers) are skipped, never counted. Rejects after
 * `timeoutMs` (scaled by `timeScale()`) naming the ids still missing. Always disconnects.
 */
async function consumeIds(brokers: string[], topics: string[], expected: Map<string, string>, timeoutMs = 30_000): Promise<Consumed[]> {
  const deadlineMs = Math.round(timeoutMs * scale);
  const consumer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).consumer({ groupId: `test-${Math.random().toString(36).slice(2)}` });
  const got: Consumed[] = [];
  const missing = new Set(expected.keys());
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        const names = [...missing].map((id) => `${expected.get(id)} (${id})`);
        reject(new Error(`consumer saw ${expected.size - missing.size}/${expected.size} expected events within ${deadlineMs} ms; missing: ${names.join(', ')}`));
      }, deadlineMs);
      const run = async (): Promise<void> => {
        await consumer.connect();
        await consumer.subscribe({ topics, fromBeginning: true });
        await consumer.run({
          eachMessage: async ({ topic, partition, message }) => {
            const envelope = fromBinary(events.EnvelopeSchema, message.value ?? new Uint8Array());
            if (!expected.has(envelope.id)) return;
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
            got.push({ topic, partition, offset: BigInt(message.offset), key: message.key?.toString() ?? '', headers, envelope });
            missing.delete(envelope.id);
            if (missing.size === 0) resolve();
          },
        });
      };
      run().catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
  }
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
  /** Closes run after each test, newest first, even when an assertion failed (an open handle keeps Jest alive). */
  let cleanups: (() => Promise<void>)[] = [];
  function closing<T extends { close(): Promise<void> }>(resource: T): T {
    cleanups.push(() => resource.close());
    return resource;
  }
  afterEach(async () => {
    const pending = cleanups.reverse();
    cleanups = [];
    for (const close of pending) await close().catch(() => {});
  }, 30_000);
  afterAll(async () => {
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes each event to its versioned topic, keyed by request or tenant, with trace headers', async () => {
    const log = closing(await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir: join(dir, 'a'), partitions: 3 }));
    const producer = closing(await Producer.open(log, 'ingress/a'));
    const drafts: EventDraft[] = [];
    for (let r = 0; r < 6; r++) drafts.push(lifecycle(`req-${r}`, r % 2 ? 'tenant-a' : 'tenant-b', 'accepted'));
    for (let r = 0; r < 6; r++) {
      drafts.push(lifecycle(`req-${r}`, r % 2 ? 'tenant-a' : 'tenant-b', 'completed'));
      drafts.push(usageDraft(r, r % 2 ? 'tenant-a' : 'tenant-b'));
    }
    for (const d of drafts) await producer.append([d]);
    expect(await log.flush(30_000)).toBe(true);
    expect(log.pendingCount()).toBe(0n);

    const got = await consumeIds(kafka.brokers, [KafkaTopics.requestLifecycle, KafkaTopics.usage], await expectedIds(log));
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
  }, 90_000 * scale);

  it('keeps appending while the broker is down, fails closed when the outbox is full, and publishes exactly once after', async () => {
    const outboxDir = join(dir, 'b');
    let log = closing(await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir, partitions: 3, maxPendingEvents: 40, closeFlushMs: 200 }));
    let producer = closing(await Producer.open(log, 'ingress/b'));
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
    log = closing(await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir, partitions: 3, maxPendingEvents: 40 }));
    producer = closing(await Producer.open(log, 'ingress/b'));
    expect(producer.lastSequence()).toBe(31n);
    expect(await log.flush(60_000)).toBe(true);
    expect(log.pendingCount()).toBe(0n);

    // A batch in flight when the broker went away was in a transaction that the reopened relay's
    // producer aborted (same transactional id); its re-publication is the only committed copy.
    // The usage topic also holds the first test's events: only this outbox's ids are waited for.
    const expected = await expectedIds(log);
    expect(expected.size).toBe(31);
    const got = await consumeIds(kafka.brokers, [KafkaTopics.usage], expected);
    expect(got.map((c) => c.envelope.sequence)).toEqual(Array.from({ length: 31 }, (_, i) => BigInt(i + 1)));
  }, 150_000 * scale);

  it('resumes from the cursor committed in Kafka when the local cursor file is behind (a crash after the commit)', async () => {
    const outboxDir = join(dir, 'behind');
    let log = closing(await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir, partitions: 3, relayBatch: 7 }));
    let producer = closing(await Producer.open(log, 'ingress/behind'));
    for (let i = 0; i < 20; i++) await producer.append([usageDraft(i, 'tenant-behind')]);
    expect(await log.flush(30_000)).toBe(true);
    await producer.close();
    await log.close();
    // The state a SIGKILL between Kafka's commit and the cursor file write leaves behind.
    writeFileSync(join(outboxDir, 'kafka-relay.cursor'), '6\n');

    log = closing(await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir, partitions: 3, relayBatch: 7 }));
    expect(log.publishedOffset()).toBe(6n);
    producer = closing(await Producer.open(log, 'ingress/behind'));
    await producer.append([usageDraft(20, 'tenant-behind')]);
    expect(await log.flush(30_000)).toBe(true);
    expect(log.publishedOffset()).toBe(21n);

    const sequences: bigint[] = [];
    for await (const r of readTopics(kafka.brokers, [KafkaTopics.usage])) if (r.envelope.producer === 'ingress/behind') sequences.push(r.envelope.sequence);
    expect(sequences).toEqual(Array.from({ length: 21 }, (_, i) => BigInt(i + 1)));
  }, 90_000 * scale);

  it('deletes acknowledged outbox segments, keeps the chain head, and creates topics with unlimited retention', async () => {
    const outboxDir = join(dir, 'prune');
    let log = closing(await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir, partitions: 3, outboxSegmentBytes: 1024 }));
    let producer = closing(await Producer.open(log, 'ingress/prune'));
    for (let i = 0; i < 40; i++) await producer.append([usageDraft(i, 'tenant-p')]);
    expect(await log.flush(30_000)).toBe(true);
    expect(log.startOffset()).toBeGreaterThan(0n);
    expect(log.startOffset()).toBeLessThan(40n);
    await expect(log.read(0n, 10)).rejects.toMatchObject({ code: Code.OutOfRange });
    await producer.close();
    await log.close();
    // Reopened: the chain continues from the head kept in the last segment.
    log = closing(await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir, partitions: 3, outboxSegmentBytes: 1024 }));
    producer = closing(await Producer.open(log, 'ingress/prune'));
    expect(producer.lastSequence()).toBe(40n);

    const admin = new Kafka({ clientId: 'retention-check', brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [
          { type: ConfigResourceTypes.TOPIC, name: KafkaTopics.usage, configNames: ['retention.ms'] },
          { type: ConfigResourceTypes.TOPIC, name: OUTBOX_CURSOR_TOPIC, configNames: ['cleanup.policy'] },
        ],
      });
      const config = (topic: string, name: string): string | undefined =>
        described.resources.find((r) => r.resourceName === topic)?.configEntries.find((e) => e.configName === name)?.configValue;
      expect(config(KafkaTopics.usage, 'retention.ms')).toBe('-1');
      expect(config(OUTBOX_CURSOR_TOPIC, 'cleanup.policy')).toBe('compact');
    } finally {
      await admin.disconnect();
    }
  }, 90_000 * scale);

  it('refuses, without storing it, an event type no topic carries', async () => {
    const log = closing(await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir: join(dir, 'c') }));
    const unknown = create(events.EnvelopeSchema, { id: '01J0000000000000000000000', type: 'audit.unknown', producer: 'x/1', sequence: 1n });
    await expect(log.append([unknown])).rejects.toMatchObject({ code: Code.InvalidArgument });
    expect(log.endOffset()).toBe(0n);
  });
});
