import { setTimeout as sleep } from 'node:timers/promises';
import { MeshError, Code, unavailable } from '@infermesh/errors';
import { Kafka, logLevel } from 'kafkajs';
import type { Envelope, EventLog, LogRecord } from '../event-log.js';
import { FileEventLog } from '../file-event-log.js';
import { outboxIdentity } from './outbox-identity.js';
import { RelayCursor } from './relay-cursor.js';
import { routeEnvelope } from './topics.js';
import { TransactionalPublisher } from './transactional-publisher.js';
import './kafkajs-node24.js';

export interface KafkaEventLogOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Directory of the durable local outbox (a `FileEventLog`, one writer per directory). */
  outboxDir: string;
  clientId: string;
  /** Appends fail with UNAVAILABLE (fail closed) once this many events wait for Kafka. */
  maxPendingEvents: number;
  /** Most outbox records published in one Kafka transaction. */
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
  /** Kafka `transaction.timeout.ms`: the broker aborts a transaction abandoned this long (a crashed relay's), ms. */
  transactionTimeoutMs: number;
  /**
   * Longest wait for the committed cursor when the relay (re)connects, ms. Another outbox's open
   * transaction on the cursor's partition delays it by up to that outbox's transaction timeout.
   */
  recoverTimeoutMs: number;
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
    transactionTimeoutMs: 15_000,
    recoverTimeoutMs: 60_000,
    closeFlushMs: 2000,
    onRelayError: () => {},
    onRelaySuccess: () => {},
  };
}

/**
 * The event-log port on Kafka, through a transactional outbox. `append` stores envelopes in a
 * local `FileEventLog` (fsync'ed; the port's offsets are this outbox's offsets) and returns, so
 * ingress keeps serving while Kafka is away; a relay publishes the outbox in order, each batch in
 * one Kafka transaction together with the outbox's new cursor (`infermesh.outbox-cursors.v1`), and
 * recovers that cursor from Kafka whenever it (re)connects. Publication is therefore exactly once
 * for consumers reading with isolation read_committed, across crashes of the relay at any point
 * (a restarted relay fences its predecessor by transactional id, which aborts its unfinished
 * transaction). Consumers reading uncommitted may see aborted copies. `read` serves the local
 * outbox (the producer's own log, which `Producer.open` recovers its chain from).
 */
export class KafkaEventLog implements EventLog {
  private readonly publisher: TransactionalPublisher;
  private readonly stop = new AbortController();
  private readonly relayDone: Promise<void>;
  private flushWaiters: { target: bigint; done: (ok: boolean) => void }[] = [];
  private closed = false;

  private constructor(
    private readonly outbox: FileEventLog,
    private readonly cursor: RelayCursor,
    /** This outbox's stable identity (`<outbox>/kafka-outbox.id`): its transactional id and cursor key. */
    readonly outboxId: string,
    private readonly opts: KafkaEventLogOptions,
  ) {
    const kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      requestTimeout: 5000,
      retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    this.publisher = new TransactionalPublisher(kafka, {
      outboxId,
      partitions: opts.partitions,
      transactionTimeoutMs: opts.transactionTimeoutMs,
      recoverTimeoutMs: opts.recoverTimeoutMs,
    });
    this.relayDone = this.relay();
  }

  /** Opens (or recovers) the outbox and starts the relay; does not wait for Kafka. */
  static async open(options: Pick<KafkaEventLogOptions, 'brokers' | 'outboxDir'> & Partial<KafkaEventLogOptions>): Promise<KafkaEventLog> {
    const opts = { ...defaultKafkaEventLogOptions(), ...options };
    const outbox = await FileEventLog.open(opts.outboxDir, { segmentBytes: opts.outboxSegmentBytes });
    try {
      return new KafkaEventLog(outbox, await RelayCursor.open(opts.outboxDir), await outboxIdentity(opts.outboxDir), opts);
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

  /**
   * Outbox offset below which every record is committed in Kafka, as far as this relay knows (after
   * a restart it may be behind until the relay has recovered the committed cursor from Kafka).
   */
  publishedOffset(): bigint {
    return this.cursor.get();
  }

  /** Events appended but not yet committed in Kafka (an upper bound until the cursor is recovered). */
  pendingCount(): bigint {
    return this.outbox.endOffset() - this.cursor.get();
  }

  /** True once everything appended before the call is committed in Kafka; false on timeout or close. */
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
    await this.publisher.drop();
    await this.outbox.close();
  }

  private async relay(): Promise<void> {
    let backoff = this.opts.retryMinMs;
    while (!this.stop.signal.aborted) {
      if (this.cursor.get() >= this.outbox.endOffset()) {
        await this.outbox.waitForAppend(this.cursor.get(), this.stop.signal, 1000);
        continue;
      }
      try {
        if (!this.publisher.connected) await this.advance(await this.publisher.connect(this.stop.signal));
        const from = this.cursor.get();
        if (from >= this.outbox.endOffset()) continue;
        const { records, nextOffset } = await this.outbox.read(from, this.opts.relayBatch);
        await this.publisher.publish(records, nextOffset);
        await this.advance(nextOffset);
        safely(() => this.opts.onRelaySuccess(records.length));
        backoff = this.opts.retryMinMs;
      } catch (err) {
        safely(() => this.opts.onRelayError(err));
        await this.publisher.drop();
        await sleep(backoff, undefined, { signal: this.stop.signal }).catch(() => {});
        backoff = Math.min(this.opts.retryMaxMs, backoff * 2);
      }
    }
  }

  /**
   * Moves the cursor to `committed` (an offset Kafka has committed up to) when that is ahead:
   * persists it locally, prunes published segments and wakes flushes. A committed cursor past the
   * outbox's end means the id file was copied into another outbox: FAILED_PRECONDITION, nothing is
   * published from this outbox (it fills and appends then fail closed) until an operator looks.
   */
  private async advance(committed: bigint | undefined): Promise<void> {
    if (committed === undefined || committed <= this.cursor.get()) return;
    if (committed > this.outbox.endOffset()) {
      throw new MeshError(Code.FailedPrecondition, `Kafka's cursor for outbox ${this.outboxId} (${committed}) is past the outbox's end (${this.outbox.endOffset()})`);
    }
    await this.cursor.set(committed);
    if (this.opts.pruneOutbox) await this.outbox.deleteBefore(committed);
    for (const w of [...this.flushWaiters]) if (committed >= w.target) w.done(true);
  }
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // A callback must not stop the relay.
  }
}
