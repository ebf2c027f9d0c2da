import { MeshError, Code } from '@infermesh/errors';
import type { Kafka, Producer as KafkaProducer, TopicMessages } from 'kafkajs';
import type { LogRecord } from '../event-log.js';
import { CURSOR_TOPIC_CONFIG, cursorMessage, cursorPartition, OUTBOX_CURSOR_TOPIC, recoverCursor } from './cursor-topic.js';
import { KafkaTopics, toRecord, ENVELOPE_TOPIC_CONFIG } from './topics.js';

export interface TransactionalPublisherOptions {
  /** The outbox's stable identity (`outboxIdentity`): transactional id and cursor key. */
  outboxId: string;
  /** Partitions of each topic this publisher creates (existing topics are left alone). */
  partitions: number;
  /** Kafka `transaction.timeout.ms`: an abandoned transaction is aborted by the broker after this, ms. */
  transactionTimeoutMs: number;
  /** Longest wait for the committed cursor at each (re)connect, ms. */
  recoverTimeoutMs: number;
}

/**
 * Publishes outbox batches to Kafka, each batch and the outbox's new cursor in ONE transaction
 * (transactional id `infermesh-outbox-<outbox id>`), so that read_committed consumers see every
 * record exactly once: a crash before the commit leaves an aborted transaction (invisible) and the
 * old cursor, a crash after it leaves both committed. One producer at a time; after any failure
 * the caller drops it and connects a fresh one, which fences the failed one and recovers the
 * committed cursor (a commit whose answer was lost may well have succeeded).
 */
export class TransactionalPublisher {
  private producer: KafkaProducer | undefined;
  private partition = 0;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: TransactionalPublisherOptions,
  ) {}

  get transactionalId(): string {
    return `infermesh-outbox-${this.opts.outboxId}`;
  }

  get connected(): boolean {
    return this.producer !== undefined;
  }

  /**
   * Creates the topics if absent, connects a transactional producer (fencing any earlier one with
   * this outbox's id and settling its open transaction) and returns the cursor committed in Kafka,
   * undefined when this outbox never committed one. Throws when Kafka is unreachable or `signal`
   * aborts during the recovery; the caller then calls `drop` and retries.
   */
  async connect(signal?: AbortSignal): Promise<bigint | undefined> {
    await this.drop();
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          ...Object.values(KafkaTopics).map((topic) => ({ topic, numPartitions: this.opts.partitions, configEntries: [...ENVELOPE_TOPIC_CONFIG] })),
          { topic: OUTBOX_CURSOR_TOPIC, numPartitions: this.opts.partitions, configEntries: CURSOR_TOPIC_CONFIG },
        ],
      });
      const meta = await admin.fetchTopicMetadata({ topics: [OUTBOX_CURSOR_TOPIC] });
      const count = meta.topics[0]?.partitions.length ?? 0;
      if (count === 0) throw new MeshError(Code.Unavailable, `${OUTBOX_CURSOR_TOPIC} has no partitions yet`);
      this.partition = cursorPartition(this.opts.outboxId, count);
    } finally {
      await admin.disconnect();
    }
    const producer = this.kafka.producer({
      transactionalId: this.transactionalId,
      transactionTimeout: this.opts.transactionTimeoutMs,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    this.producer = producer;
    await producer.connect();
    return recoverCursor(this.kafka, producer, this.opts.outboxId, this.partition, this.opts.recoverTimeoutMs, signal);
  }

  /**
   * Publishes `records` (contiguous outbox records ending just before `nextOffset`) and the cursor
   * `nextOffset` in one transaction, acks=all. Resolved = committed. Rejected = outcome unknown
   * (aborted, or committed with the answer lost): drop, reconnect and use the recovered cursor.
   */
  async publish(records: readonly LogRecord[], nextOffset: bigint): Promise<void> {
    const producer = this.producer;
    if (producer === undefined) throw new MeshError(Code.FailedPrecondition, 'transactional publisher is not connected');
    const byTopic = new Map<string, TopicMessages>();
    for (const r of records) {
      const rec = toRecord(r.envelope);
      let tm = byTopic.get(rec.topic);
      if (tm === undefined) byTopic.set(rec.topic, (tm = { topic: rec.topic, messages: [] }));
      tm.messages.push({ key: rec.key, value: rec.value, headers: rec.headers });
    }
    byTopic.set(OUTBOX_CURSOR_TOPIC, { topic: OUTBOX_CURSOR_TOPIC, messages: [cursorMessage(this.opts.outboxId, nextOffset, this.partition)] });
    const tx = await producer.transaction();
    try {
      await tx.sendBatch({ topicMessages: [...byTopic.values()], acks: -1 });
      await tx.commit();
    } catch (err) {
      await tx.abort().catch(() => {});
      throw err;
    }
  }

  /** Disconnects the producer, if any: kafkajs does not reliably recover one after a broker outage. */
  async drop(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await p?.disconnect().catch(() => {});
  }
}
