import { fromBinary } from '@bufbuild/protobuf';
import { MeshError, Code } from '@infermesh/errors';
import { toRecord } from '@infermesh/event-log';
import { events } from '@infermesh/proto';
import type { Logger } from '@infermesh/telemetry';
import type { Kafka, Producer } from 'kafkajs';
import { sleep } from './sleep.js';
import { loadPosition } from './store/ledger-store.js';
import type { SqlDb } from './store/sql.js';

export interface RatedUsageRelayOptions {
  /** consumer_positions row holding the last published outbox sequence. */
  positionKey: string;
  /** Most outbox rows per Kafka produce request. */
  batch: number;
  /** Longest wait for new outbox rows before re-checking, ms (commits wake it sooner). */
  pollMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  /** Longest wait for Kafka to acknowledge one batch (connect included) before the producer is replaced, ms. */
  sendTimeoutMs: number;
}

interface OutboxRow {
  sequence: string;
  envelope: Uint8Array;
}

/**
 * Publishes the rated-usage outbox to `infermesh.rated-usage.v1` in sequence order with an
 * idempotent producer (acks=all), then records the last published sequence. At least once across
 * crashes (a batch acknowledged just before a crash is sent again), always with the stored bytes,
 * so a repeat is byte-identical and consumers dedupe on the envelope id. Topic, key (tenant id) and
 * headers are those of `toRecord`.
 */
export class RatedUsageRelay {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private producer: Producer | undefined;
  private wakeUp: (() => void) | undefined;
  private published = 0n;

  constructor(
    private readonly db: SqlDb,
    private readonly kafka: Kafka,
    private readonly options: RatedUsageRelayOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** A commit added outbox rows: publish without waiting for the poll. */
  notify(): void {
    this.wakeUp?.();
  }

  /** True when every outbox row is acknowledged by Kafka. */
  async caughtUp(): Promise<boolean> {
    const { rows } = await this.db.query<{ last: string | null }>('SELECT max(sequence)::text AS last FROM rated_usage_outbox');
    return BigInt(rows[0]?.last ?? '0') <= (await loadPosition(this.db, this.options.positionKey));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.notify();
    await this.loop;
    await this.producer?.disconnect().catch(() => {});
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let backoff = this.options.retryMinMs;
    while (!signal.aborted) {
      try {
        this.published = await loadPosition(this.db, this.options.positionKey);
        for (;;) {
          const { rows } = await this.db.query<OutboxRow>(
            `SELECT o.sequence::text AS sequence, o.envelope FROM rated_usage_outbox o WHERE o.sequence > $1 ORDER BY o.sequence LIMIT ${this.options.batch}`,
            [this.published.toString()],
          );
          if (rows.length === 0 || signal.aborted) break;
          await this.publish(rows);
          const last = BigInt(rows.at(-1)!.sequence);
          const moved = await this.db.query(
            'UPDATE consumer_positions SET next_offset = $1, updated_at = now() WHERE consumer = $2 AND next_offset = $3 RETURNING consumer',
            [last.toString(), this.options.positionKey, this.published.toString()],
          );
          if (moved.rows.length !== 1) throw new MeshError(Code.Aborted, 'the rated-usage relay position moved; another relay is running');
          this.published = last;
          backoff = this.options.retryMinMs;
        }
        await new Promise<void>((resolve) => {
          this.wakeUp = resolve;
          void sleep(this.options.pollMs, signal).then(resolve);
        });
      } catch (err) {
        this.logger.warn({ err, published: this.published.toString() }, 'rated-usage relay failed; retrying');
        await this.producer?.disconnect().catch(() => {});
        this.producer = undefined;
        await sleep(backoff, signal);
        backoff = Math.min(this.options.retryMaxMs, backoff * 2);
      }
    }
  }

  private async publish(rows: readonly OutboxRow[]): Promise<void> {
    const messages = rows.map((r) => {
      const bytes = Buffer.from(r.envelope);
      const rec = toRecord(fromBinary(events.EnvelopeSchema, bytes));
      return { topic: rec.topic, key: rec.key, value: bytes, headers: rec.headers };
    });
    // Every wait has a deadline: a kafkajs producer can stay stuck after a broker restart, and a
    // relay waiting on it forever would hold back every rated line silently. On timeout the
    // producer is replaced and the batch re-sent (consumers dedupe on source_event_id).
    await withDeadline(this.options.sendTimeoutMs, async () => {
      if (this.producer === undefined) {
        const p = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
        this.producer = p;
        await p.connect();
      }
      await this.producer.send({ topic: messages[0]!.topic, acks: -1, messages: messages.map(({ key, value, headers }) => ({ key, value, headers: { ...headers } })) });
    });
  }
}

/** Runs `fn`, rejecting with DEADLINE_EXCEEDED if it has not settled within `ms`. */
async function withDeadline<T>(ms: number, fn: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new MeshError(Code.DeadlineExceeded, `Kafka did not acknowledge within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
