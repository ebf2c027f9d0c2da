import { randomUUID } from 'node:crypto';
import { MeshError, Code, unavailable } from '@infermesh/errors';
import { Partitioners, type Kafka, type Message, type PartitionMetadata, type Producer as KafkaProducer } from 'kafkajs';
import { startConsumer } from './topic-reader.js';

/**
 * Compacted topic of relay cursors: key = an outbox's identity, value = the next outbox offset to
 * publish (decimal, UTF-8). Each relay batch writes its cursor record in the same Kafka transaction
 * as the batch, so for a read_committed reader the cursor and the published records are committed
 * together or not at all. Recovery also writes `<id>#probe` records (value: a random nonce) to the
 * same partition; they carry no cursor. Not an envelope topic: audit tools must not read it as one.
 */
export const OUTBOX_CURSOR_TOPIC = 'infermesh.outbox-cursors.v1';

/**
 * Compaction keeps one record per outbox; small segments keep the uncompacted tail (read in full
 * at each relay start) to a few MiB however long the relay has run.
 */
export const CURSOR_TOPIC_CONFIG = [
  { name: 'cleanup.policy', value: 'compact' },
  { name: 'segment.bytes', value: String(16 * 1024 * 1024) },
  { name: 'segment.ms', value: String(60 * 60 * 1000) },
];

const partitioner = Partitioners.DefaultPartitioner();

/** The partition of `outboxId`'s cursor: murmur2 of the key, as every Kafka client computes it. */
export function cursorPartition(outboxId: string, partitions: number): number {
  const partitionMetadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, i) => ({ partitionErrorCode: 0, partitionId: i, leader: 0, replicas: [0], isr: [0] }));
  return partitioner({ topic: OUTBOX_CURSOR_TOPIC, partitionMetadata, message: { key: outboxId, value: null } });
}

/** The cursor record that commits with a relay batch. */
export function cursorMessage(outboxId: string, nextOffset: bigint, partition: number): Message {
  return { key: outboxId, value: nextOffset.toString(), partition };
}

/**
 * The cursor committed under `outboxId` (undefined when none was ever committed), read with
 * isolation read_committed. `producer` must be the outbox's transactional producer, freshly
 * connected: its first transaction fences the previous incarnation, which makes the broker finish
 * that incarnation's open transaction (commit if it had been committed, else abort) first. It then
 * commits a probe record with a fresh nonce to the cursor's partition and reads the partition
 * from the beginning until the probe appears: everything this outbox committed before lies below
 * it, including cursors written after another outbox's still-open transaction (which a bound at
 * the last stable offset would miss). UNAVAILABLE after `timeoutMs` (another outbox's open
 * transaction on the partition delays the read by at most its transaction timeout) or once
 * `signal` aborts (the log is closing).
 */
export async function recoverCursor(kafka: Kafka, producer: KafkaProducer, outboxId: string, partition: number, timeoutMs: number, signal?: AbortSignal): Promise<bigint | undefined> {
  const nonce = randomUUID();
  const probeKey = `${outboxId}#probe`;
  const tx = await producer.transaction();
  try {
    await tx.send({ topic: OUTBOX_CURSOR_TOPIC, acks: -1, messages: [{ key: probeKey, value: nonce, partition }] });
    await tx.commit();
  } catch (err) {
    await tx.abort().catch(() => {});
    throw err;
  }

  let latest: bigint | undefined;
  let timer: NodeJS.Timeout | undefined;
  let settle: (err?: unknown) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    settle = (err) => (err === undefined ? resolve() : reject(err as Error));
    timer = setTimeout(() => settle(unavailable(`outbox cursor not recovered from ${OUTBOX_CURSOR_TOPIC} within ${timeoutMs} ms`)), timeoutMs);
  });
  done.catch(() => {});
  const onAbort = (): void => settle(unavailable('outbox cursor recovery stopped: the log is closing'));
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted === true) onAbort();
  const consumer = await startConsumer(
    kafka,
    { groupId: `infermesh-outbox-recovery-${randomUUID()}`, allowAutoTopicCreation: false, readUncommitted: false, maxWaitTimeInMs: 500 },
    [OUTBOX_CURSOR_TOPIC],
    {
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (batch.partition !== partition) return;
        for (const m of batch.messages) {
          const key = m.key?.toString('utf8');
          const value = m.value?.toString('utf8') ?? '';
          if (key === probeKey && value === nonce) return settle();
          if (key !== outboxId) continue;
          if (!/^\d+$/.test(value)) return settle(new MeshError(Code.DataLoss, `cursor record ${OUTBOX_CURSOR_TOPIC}/${partition}@${m.offset} is not an offset`));
          latest = BigInt(value);
        }
      },
    },
    timeoutMs,
  ).catch((err: unknown) => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    throw err;
  });
  consumer.on(consumer.events.CRASH, (e) => settle(e.payload.error));
  try {
    await done;
    return latest;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => {});
  }
}
