import { fromBinary } from '@bufbuild/protobuf';
import { MeshError, Code } from '@infermesh/errors';
import { events } from '@infermesh/proto';
import { Kafka, logLevel, type Consumer, type ConsumerConfig, type ConsumerRunConfig, type EachBatchPayload } from 'kafkajs';
import type { Envelope } from '../event-log.js';
import './kafkajs-node24.js';

/** One record read back from a topic. */
export interface TopicRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** The record key (UTF-8), undefined when the record has none. */
  key: string | undefined;
  envelope: Envelope;
}

export interface ReadTopicsOptions {
  clientId: string;
  /** What to do with a value that is not a serialized Envelope: fail (DATA_LOSS, the audit default) or skip it. */
  undecodable: 'throw' | 'skip';
  /** Batches buffered ahead of the caller before the reader stops fetching. */
  maxBufferedBatches: number;
  /** Stops the read early; the iterator then ends without error. */
  signal?: AbortSignal;
  /**
   * Also return records of aborted transactions (isolation read_uncommitted). Default false: the
   * relay publishes in transactions, and only read_committed readers see each envelope once.
   * For diagnostics only.
   */
  readUncommitted?: boolean;
}

export function defaultReadTopicsOptions(): ReadTopicsOptions {
  return { clientId: 'infermesh-reader', undecodable: 'throw', maxBufferedBatches: 8 };
}

type Waiter = () => void;

/**
 * Reads `topics` from the beginning up to the high-water marks taken when the call starts
 * (everything written before the call; with isolation read_committed, unless `readUncommitted`,
 * the records of transactions open at the start are returned once they commit, and those that
 * abort are skipped), in order within each partition (partitions interleave), and ends: a
 * bounded snapshot for replays
 * and audit, which never hangs on an empty or missing topic. Records appended after the start are
 * not returned. Uses a consumer group of its own (random id, nothing committed), so it disturbs no
 * other consumer; breaking out of the loop disconnects it.
 */
export async function* readTopics(brokers: string[], topics: readonly string[], options: Partial<ReadTopicsOptions> = {}): AsyncGenerator<TopicRecord> {
  const opts = { ...defaultReadTopicsOptions(), ...options };
  // Generous retries: a fresh broker answers COORDINATOR_LOAD_IN_PROGRESS for a while after start.
  const kafka = new Kafka({
    clientId: opts.clientId, brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3000, requestTimeout: 10_000,
    retry: { retries: 15, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  const ends = await highWaterMarks(kafka, topics);
  const pending = new Set([...ends].filter(([, r]) => r.high > r.low).map(([k]) => k));
  if (pending.size === 0) return;

  const queue: TopicRecord[][] = [];
  let failure: unknown;
  let wakeReader: Waiter | undefined;
  let wakeFetcher: Waiter | undefined;
  const wake = (): void => {
    wakeReader?.();
    wakeReader = undefined;
  };
  const onBatch = async ({ batch, heartbeat, isRunning }: EachBatchPayload): Promise<void> => {
    const key = `${batch.topic}/${batch.partition}`;
    const end = ends.get(key)?.high;
    if (end === undefined || !pending.has(key)) return;
    const out: TopicRecord[] = [];
    for (const m of batch.messages) {
      const offset = BigInt(m.offset);
      if (offset >= end) break;
      let envelope: Envelope;
      try {
        envelope = fromBinary(events.EnvelopeSchema, m.value ?? new Uint8Array());
      } catch (err) {
        if (opts.undecodable === 'skip') continue;
        throw new MeshError(Code.DataLoss, `${key}@${offset} is not a serialized Envelope`, { cause: err });
      }
      out.push({ topic: batch.topic, partition: batch.partition, offset, key: m.key?.toString('utf8'), envelope });
    }
    if (BigInt(batch.lastOffset()) + 1n >= end) pending.delete(key);
    if (out.length > 0) queue.push(out);
    wake();
    while (queue.length >= opts.maxBufferedBatches && isRunning() && failure === undefined) {
      await new Promise<void>((resolve) => {
        wakeFetcher = resolve;
        setTimeout(resolve, 1000);
      });
      await heartbeat();
    }
  };
  const abort = (): void => {
    failure ??= 'aborted';
    wake();
  };
  opts.signal?.addEventListener('abort', abort, { once: true });
  let consumer: Consumer | undefined;
  try {
    const present = [...topics].filter((t) => [...ends.keys()].some((k) => k.startsWith(`${t}/`)));
    const groupId = `${opts.clientId}-${process.pid}-${Math.random().toString(36).slice(2)}`;
    consumer = await startConsumer(kafka, { groupId, allowAutoTopicCreation: false, readUncommitted: opts.readUncommitted === true }, present, {
      eachBatchAutoResolve: true,
      autoCommit: false,
      eachBatch: async (p) => {
        try {
          await onBatch(p);
        } catch (err) {
          failure ??= err;
          wake();
        }
      },
    });
    // A fetch holding only transaction markers or aborted records never reaches eachBatch; kafkajs
    // still reports how far it got, which may be the partition's end.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const key = `${payload.topic}/${payload.partition}`;
      const end = ends.get(key)?.high;
      if (end !== undefined && BigInt(payload.lastOffset) + 1n >= end && pending.delete(key)) wake();
    });
    consumer.on(consumer.events.CRASH, (e) => {
      failure ??= e.payload.error;
      wake();
    });
    for (;;) {
      const next = queue.shift();
      if (next !== undefined) {
        wakeFetcher?.();
        yield* next;
        continue;
      }
      if (failure === 'aborted') return;
      if (failure !== undefined) throw failure;
      if (pending.size === 0) return;
      await new Promise<void>((resolve) => (wakeReader = resolve));
    }
  } finally {
    opts.signal?.removeEventListener('abort', abort);
    failure ??= 'aborted';
    wakeFetcher?.();
    await consumer?.disconnect().catch(() => {});
  }
}

const TRANSIENT_JOIN_ERRORS = new Set(['COORDINATOR_LOAD_IN_PROGRESS', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'GROUP_COORDINATOR_NOT_AVAILABLE']);

/**
 * Connects a consumer, subscribes it from the beginning and runs it, retrying the join with a
 * fresh consumer for up to `joinTimeoutMs` while the group coordinator is still loading (kafkajs
 * gives up on that at once; a freshly started broker answers it for several seconds).
 */
export async function startConsumer(kafka: Kafka, config: ConsumerConfig, topics: readonly string[], run: ConsumerRunConfig, joinTimeoutMs = 60_000): Promise<Consumer> {
  const deadline = Date.now() + joinTimeoutMs;
  for (let delay = 200; ; delay = Math.min(2000, delay * 2)) {
    const consumer = kafka.consumer(config);
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [...topics], fromBeginning: true });
      await consumer.run(run);
      return consumer;
    } catch (err) {
      await consumer.disconnect().catch(() => {});
      const type = (err as { type?: string }).type ?? '';
      if (!TRANSIENT_JOIN_ERRORS.has(type) || Date.now() + delay > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Low and high marks of every partition of the existing `topics`, keyed "topic/partition".
 *
 * `high` is the high-water mark: one past the last record written, whether its transaction is
 * committed, open or aborted. `stable` is the last stable offset (what read_committed readers may
 * see now). The two differ while a transaction is open, and also for a moment after a producer's
 * commit returns: the broker writes the commit markers after it acknowledges the commit, so a
 * snapshot taken at `stable` right after a flush can miss the batch just flushed. Readers that must
 * include everything written before they started read to `high`; a read_committed consumer gets
 * there once the open transactions end (commit, abort, or the broker's transaction timeout).
 * Transactional topics end with a marker that no consumer receives as a message: a position kept
 * as "last message offset + 1" stops one short of `high`; `batch.lastOffset() + 1` (markers
 * included) reaches it.
 */
export async function highWaterMarks(kafka: Kafka, topics: readonly string[]): Promise<Map<string, { low: bigint; high: bigint; stable: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((t) => existing.has(t));
    const out = new Map<string, { low: bigint; high: bigint; stable: bigint }>();
    if (present.length === 0) return out;
    const high = await listLatestUncommitted(kafka, present);
    for (const topic of present) {
      // kafkajs' admin lists offsets read_committed: its `high` is the last stable offset.
      for (const p of await admin.fetchTopicOffsets(topic)) {
        const key = `${topic}/${p.partition}`;
        const stable = BigInt(p.high);
        out.set(key, { low: BigInt(p.low), high: high.get(key) ?? stable, stable });
      }
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

/** The slice of kafkajs' internal cluster client that `listLatestUncommitted` uses. */
interface KafkaJsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addMultipleTargetTopics(topics: string[]): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findTopicPartitionMetadata(topic: string): Array<{ partitionId: number }>;
  fetchTopicsOffset(topics: Array<{ topic: string; fromBeginning: boolean; partitions: Array<{ partition: number }> }>): Promise<Array<{ topic: string; partitions: Array<{ partition: number; offset: string }> }>>;
}

/**
 * High-water marks (ListOffsets LATEST with isolation read_uncommitted), keyed "topic/partition".
 * kafkajs' public admin only lists offsets read_committed, so this asks its cluster factory (the one
 * its consumers use with `readUncommitted`) for a client of its own. kafkajs 2.2.4 is the last
 * release; `highWaterMarks`' integration test pins this behaviour.
 */
async function listLatestUncommitted(kafka: Kafka, topics: string[]): Promise<Map<string, bigint>> {
  const factory = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = factory === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[factory];
  if (typeof create !== 'function') throw new MeshError(Code.Internal, 'this kafkajs has no cluster factory: cannot list high-water marks');
  const cluster = (create as (o: object) => KafkaJsCluster).call(kafka, { allowAutoTopicCreation: false, isolationLevel: 0 /* READ_UNCOMMITTED */ });
  await cluster.connect();
  try {
    await cluster.addMultipleTargetTopics(topics);
    await cluster.refreshMetadataIfNecessary();
    const request = topics.map((topic) => ({
      topic, fromBeginning: false, partitions: cluster.findTopicPartitionMetadata(topic).map((p) => ({ partition: p.partitionId })),
    }));
    const out = new Map<string, bigint>();
    for (const t of await cluster.fetchTopicsOffset(request)) for (const p of t.partitions) out.set(`${t.topic}/${p.partition}`, BigInt(p.offset));
    return out;
  } finally {
    await cluster.disconnect();
  }
}
