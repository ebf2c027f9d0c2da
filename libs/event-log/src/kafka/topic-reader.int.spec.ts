import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, type KafkaServer } from '@infermesh/infra';
import { toBinary, create } from '@bufbuild/protobuf';
import { events } from '@infermesh/proto';
import { Kafka, logLevel } from 'kafkajs';
import { Producer } from '../producer.js';
import { usageDraft } from '../test-fixtures.spec.js';
import { KafkaEventLog } from './kafka-event-log.js';
import { highWaterMarks, readTopics, type TopicRecord } from './topic-reader.js';
import { KafkaTopics } from './topics.js';

async function collect(it: AsyncIterable<TopicRecord>): Promise<TopicRecord[]> {
  const out: TopicRecord[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe('readTopics against a real broker', () => {
  let kafka: KafkaServer;
  const dir = mkdtempSync(join(tmpdir(), 'infermesh-topic-reader-'));
  beforeAll(async () => {
    kafka = await startKafka();
  }, 120_000);
  afterAll(async () => {
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ends at once on a missing topic', async () => {
    const started = Date.now();
    expect(await collect(readTopics(kafka.brokers, ['infermesh.does-not-exist.v1']))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('reads every record up to the high-water marks taken at the start, in order per partition, then ends', async () => {
    const log = await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir: join(dir, 'a'), partitions: 3 });
    const producer = await Producer.open(log, 'ingress/reader');
    try {
      for (let i = 0; i < 300; i++) await producer.append([usageDraft(i, `tenant-${i % 5}`)]);
      expect(await log.flush(30_000)).toBe(true);
      const { records: written } = await log.read(0n, 1000);

      const seen: TopicRecord[] = [];
      let appendedDuring = false;
      for await (const r of readTopics(kafka.brokers, [KafkaTopics.usage, KafkaTopics.ratedUsage], { maxBufferedBatches: 1 })) {
        seen.push(r);
        if (!appendedDuring) {
          appendedDuring = true;
          await producer.append([usageDraft(999, 'tenant-0')]);
          expect(await log.flush(30_000)).toBe(true);
        }
      }
      expect(seen.map((r) => r.envelope.id).sort()).toEqual(written.map((r) => r.envelope.id).sort());
      for (const r of seen) expect(r.key).toBe(r.envelope.tenantId);
      const byPartition = new Map<number, bigint[]>();
      for (const r of seen) byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r.offset]);
      for (const offsets of byPartition.values()) expect(offsets).toEqual(offsets.map((_, i) => BigInt(i)));
      expect(byPartition.size).toBeGreaterThan(1);
    } finally {
      await producer.close();
      await log.close();
    }
  }, 120_000);

  it('counts an open transaction in the high-water mark, and reads its records once it commits', async () => {
    const client = new Kafka({ clientId: 'open-tx', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const admin = client.admin();
    await admin.connect();
    const topic = 'infermesh.open-tx-probe.v1';
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = client.producer({ transactionalId: 'open-tx-probe', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      const value = (id: string): Buffer => Buffer.from(toBinary(events.EnvelopeSchema, create(events.EnvelopeSchema, { id, tenantId: 't' })));
      let tx = await producer.transaction();
      await tx.send({ topic, messages: [{ key: 't', value: value('committed-1') }] });
      await tx.commit();
      tx = await producer.transaction();
      await tx.send({ topic, messages: [{ key: 't', value: value('open-1') }, { key: 't', value: value('open-2') }] });
      const ends = (await highWaterMarks(client, [topic])).get(`${topic}/0`)!;
      // committed-1 and its marker, then the two open records; the stable offset stops before them.
      expect(ends).toEqual({ low: 0n, high: 4n, stable: 2n });

      const reading = collect(readTopics(kafka.brokers, [topic]));
      let settled = false;
      void reading.then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 1500));
      expect(settled).toBe(false); // waits for the open transaction rather than ending short
      await tx.commit();
      expect((await reading).map((r) => r.envelope.id)).toEqual(['committed-1', 'open-1', 'open-2']);
    } finally {
      await producer.disconnect();
    }
  }, 60_000);
});
