import { fromBinary } from '@bufbuild/protobuf';
import { MeshError, Code } from '@infermesh/errors';
import { events } from '@infermesh/proto';
import { Kafka, logLevel, type Consumer, type ConsumerConfig, type ConsumerRunConfig, type EachBatchPayload } from 'kafkajs';
import type { Envelope } from '../event-log.js';

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
 * Reads `topics` from the beginning up to the ends taken when the call starts (the last stable
 * offsets: what is committed; isolation read_committed unless `readUncommitted`), in
 * order within each partition (partitions interleave), and ends: a bounded snapshot for replays
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
 * Low and high marks of every partition of the existing `topics`, keyed "topic/partition". `high`
 * is the last stable offset (kafkajs' admin lists offsets read_committed): the high-water mark
 * unless a transaction is open. Topics written in transactions end with a commit marker, which no
 * consumer receives as a message: a position kept as "last message offset + 1" stops one short
 * of `high`; `batch.lastOffset() + 1` (markers included) reaches it.
 */
export async function highWaterMarks(kafka: Kafka, topics: readonly string[]): Promise<Map<string, { low: bigint; high: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const out = new Map<string, { low: bigint; high: bigint }>();
    for (const topic of topics) {
      if (!existing.has(topic)) continue;
      for (const p of await admin.fetchTopicOffsets(topic)) out.set(`${topic}/${p.partition}`, { low: BigInt(p.low), high: BigInt(p.high) });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}
