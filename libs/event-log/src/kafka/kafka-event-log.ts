import { setTimeout as sleep } from 'node:timers/promises';
import { unavailable } from '@infermesh/errors';
import { Kafka, logLevel, type Producer as KafkaProducer, type TopicMessages } from 'kafkajs';
import type { Envelope, EventLog, LogRecord } from '../event-log.js';
import { FileEventLog } from '../file-event-log.js';
import { RelayCursor } from './relay-cursor.js';
import { KafkaTopics, routeEnvelope, toRecord } from './topics.js';

export interface KafkaEventLogOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Directory of the durable local outbox (a `FileEventLog`, one writer per directory). */
  outboxDir: string;
  clientId: string;
  /** Appends fail with UNAVAILABLE (fail closed) once this many events wait for Kafka. */
  maxPendingEvents: number;
  /** Most outbox records published in one Kafka produce request. */
  relayBatch: number;
  /** Partitions of each topic when this log creates it (existing topics are left alone). */
  partitions: number;
  /**
   * Outbox segment size, bytes: once Kafka has acknowledged a whole segment it is deleted (the
   * last segment always stays: it holds the producer's chain head). 0 keeps everything.
   */
  outboxSegmentBytes: number;
  pruneOutbox: boolean;
  /** Relay retry backoff after a failed publish, doubling from min to max, ms. */
  retryMinMs: number;
  retryMaxMs: number;
  /** How long `close()` keeps trying to publish what is pending before leaving it in the outbox, ms. */
  closeFlushMs: number;
  /** Called with each failed publish attempt (the relay retries forever). Never throws into the relay. */
  onRelayError: (err: unknown) => void;
  /** Called after each acknowledged batch (e.g. to log that Kafka is back). Never throws into the relay. */
  onRelaySuccess: (published: number) => void;
}

export function defaultKafkaEventLogOptions(): Omit<KafkaEventLogOptions, 'brokers' | 'outboxDir'> {
  return {
    clientId: 'infermesh',
    maxPendingEvents: 100_000,
    relayBatch: 500,
    partitions: 6,
    outboxSegmentBytes: 64 * 1024 * 1024,
    pruneOutbox: true,
    retryMinMs: 100,
    retryMaxMs: 2000,
    closeFlushMs: 2000,
    onRelayError: () => {},
    onRelaySuccess: () => {},
  };
}

/**
 * The event-log port on Kafka, through a transactional outbox. `append` stores envelopes in a
 * local `FileEventLog` (fsync'ed; the port's offsets are this outbox's offsets) and returns, so
 * ingress keeps serving while Kafka is away; a relay publishes the outbox in order with an
 * idempotent producer (acks=all) and advances a persisted cursor after each acknowledged batch.
 * Delivery to Kafka is at least once across crashes (a batch acknowledged just before a crash is
 * sent again); consumers make it exactly once by deduplicating on the envelope id, which billing
 * does in the same PostgreSQL transaction as its ledger rows. `read` serves the local outbox
 * (the producer's own log, which `Producer.open` recovers its chain from).
 */
export class KafkaEventLog implements EventLog {
  private readonly kafka: Kafka;
  private producer: KafkaProducer | undefined;
  private readonly stop = new AbortController();
  private readonly relayDone: Promise<void>;
  private flushWaiters: { target: bigint; done: (ok: boolean) => void }[] = [];
  private closed = false;

  private constructor(
    private readonly outbox: FileEventLog,
    private readonly cursor: RelayCursor,
    private readonly opts: KafkaEventLogOptions,
  ) {
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 5000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    this.relayDone = this.relay();
  }

  /** Opens (or recovers) the outbox and starts the relay; does not wait for Kafka. */
  static async open(options: Pick<KafkaEventLogOptions, 'brokers' | 'outboxDir'> & Partial<KafkaEventLogOptions>): Promise<KafkaEventLog> {
    const opts = { ...defaultKafkaEventLogOptions(), ...options };
    const outbox = await FileEventLog.open(opts.outboxDir, { segmentBytes: opts.outboxSegmentBytes });
    try {
      return new KafkaEventLog(outbox, await RelayCursor.open(opts.outboxDir), opts);
    } catch (err) {
      await outbox.close();
      throw err;
    }
  }

  /**
   * Durable in the outbox when it resolves. INVALID_ARGUMENT (nothing stored) for an event type
   * without a topic; UNAVAILABLE when `maxPendingEvents` would be exceeded (Kafka away too long).
   */
  async append(envelopes: readonly Envelope[]): Promise<LogRecord[]> {
    for (const env of envelopes) routeEnvelope(env);
    if (this.pendingCount() + BigInt(envelopes.length) > BigInt(this.opts.maxPendingEvents)) {
      throw unavailable(`event outbox is full (${this.pendingCount()} events wait for Kafka)`);
    }
    return this.outbox.append(envelopes);
  }

  read(fromOffset: bigint, maxRecords: number): Promise<{ records: LogRecord[]; nextOffset: bigint }> {
    return this.outbox.read(fromOffset, maxRecords);
  }

  endOffset(): bigint {
    return this.outbox.endOffset();
  }

  /** The outbox's first stored offset: published segments are deleted (`pruneOutbox`). */
  startOffset(): bigint {
    return this.outbox.startOffset();
  }

  waitForAppend(nextOffset: bigint, signal: AbortSignal, timeoutMs: number): Promise<void> {
    return this.outbox.waitForAppend(nextOffset, signal, timeoutMs);
  }

  /** Outbox offset below which Kafka has acknowledged every record. */
  publishedOffset(): bigint {
    return this.cursor.get();
  }

  /** Events appended but not yet acknowledged by Kafka. */
  pendingCount(): bigint {
    return this.outbox.endOffset() - this.cursor.get();
  }

  /** True once everything appended before the call is acknowledged by Kafka; false on timeout or close. */
  flush(timeoutMs: number): Promise<boolean> {
    const target = this.outbox.endOffset();
    if (this.cursor.get() >= target) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      const waiter = {
        target,
        done: (ok: boolean) => {
          clearTimeout(timer);
          this.flushWaiters = this.flushWaiters.filter((w) => w !== waiter);
          resolve(ok);
        },
      };
      this.flushWaiters.push(waiter);
    });
  }

  /** Publishes what it can within `closeFlushMs`, then stops; the rest stays in the outbox for the next open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.flush(this.opts.closeFlushMs);
    this.stop.abort();
    await this.relayDone;
    for (const w of [...this.flushWaiters]) w.done(false);
    await this.dropProducer();
    await this.outbox.close();
  }

  private async relay(): Promise<void> {
    let backoff = this.opts.retryMinMs;
    while (!this.stop.signal.aborted) {
      const from = this.cursor.get();
      if (from >= this.outbox.endOffset()) {
        await this.outbox.waitForAppend(from, this.stop.signal, 1000);
        continue;
      }
      try {
        const { records, nextOffset } = await this.outbox.read(from, this.opts.relayBatch);
        await this.publish(records);
        await this.cursor.set(nextOffset);
        safely(() => this.opts.onRelaySuccess(records.length));
        if (this.opts.pruneOutbox) await this.outbox.deleteBefore(nextOffset);
        for (const w of [...this.flushWaiters]) if (nextOffset >= w.target) w.done(true);
        backoff = this.opts.retryMinMs;
      } catch (err) {
        safely(() => this.opts.onRelayError(err));
        await this.dropProducer();
        await sleep(backoff, undefined, { signal: this.stop.signal }).catch(() => {});
        backoff = Math.min(this.opts.retryMaxMs, backoff * 2);
      }
    }
  }

  private async publish(records: readonly LogRecord[]): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const r of records) {
      const rec = toRecord(r.envelope);
      let tm = byTopic.get(rec.topic);
      if (tm === undefined) byTopic.set(rec.topic, (tm = { topic: rec.topic, messages: [] }));
      tm.messages.push({ key: rec.key, value: rec.value, headers: rec.headers });
    }
    const producer = await this.connect();
    await producer.sendBatch({ topicMessages: [...byTopic.values()], acks: -1 });
  }

  private async connect(): Promise<KafkaProducer> {
    if (this.producer !== undefined) return this.producer;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: Object.values(KafkaTopics).map((topic) => ({ topic, numPartitions: this.opts.partitions, configEntries: TOPIC_CONFIG })),
      });
    } finally {
      await admin.disconnect();
    }
    const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    await producer.connect();
    this.producer = producer;
    return producer;
  }

  /** A producer that failed is replaced: kafkajs does not reliably recover one after a broker outage. */
  private async dropProducer(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await p?.disconnect().catch(() => {});
  }
}

/**
 * Settings of the topics this log creates. Retention is unlimited: billing rebuilds its ledger and
 * audit verifies hash chains by reading a topic from its first record, so the broker's default of
 * seven days would silently cut both short. Operators who need a bound should move old segments
 * to tiered storage rather than delete them.
 */
const TOPIC_CONFIG = [
  { name: 'retention.ms', value: '-1' },
  { name: 'retention.bytes', value: '-1' },
  { name: 'cleanup.policy', value: 'delete' },
];

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // A callback must not stop the relay.
  }
}
