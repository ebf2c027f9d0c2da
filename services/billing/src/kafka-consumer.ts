import { hostname } from 'node:os';
import { fromBinary } from '@bufbuild/protobuf';
import { highWaterMarks, startConsumer, type Envelope } from '@infermesh/event-log';
import { events } from '@infermesh/proto';
import type { Logger } from '@infermesh/telemetry';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { chargeEnvelopes } from './charge.js';
import type { PriceBook } from './price-book.js';
import { loadPositionsUnder } from './store/ledger-store.js';
import type { SqlDb } from './store/sql.js';
import { sleep } from './sleep.js';

export interface KafkaLedgerConsumerOptions {
  /** Consumer name: positions are stored as `<name>/<topic>/<partition>`. */
  name: string;
  topic: string;
  clientId: string;
  /** Most records per ledger transaction (1..5000). */
  batchSize: number;
  /** Pause before rebuilding the Kafka consumer after a failure, ms. */
  retryDelayMs: number;
  /**
   * Consumer group whose committed offsets mirror the ledger's positions, for lag monitoring
   * only (set through the admin API after the database commit; never read back). '' disables.
   */
  lagGroupId: string;
  /** How often the lag group's offsets are brought up to date, ms. */
  lagCommitIntervalMs: number;
  /** Called after each committed chunk (wakes the rated-usage relay). Must not throw. */
  onCommitted?: () => void;
}

/**
 * Builds the ledger from a Kafka topic, exactly once by construction: each chunk of a partition's
 * records is committed to the ledger with that partition's new position in one transaction, and
 * on every (re)start each partition seeks to its stored position. Kafka's own offsets play no part
 * in correctness. The kafkajs group is private to this process (random id), so a restart never
 * waits for a dead member's session to expire; "one consumer at a time" is the leader lock's job.
 * Any failure tears the Kafka consumer down and rebuilds it from the stored positions.
 */
export class KafkaLedgerConsumer {
  private positions = new Map<string, bigint>();
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private lagLoop: Promise<void> | undefined;
  private lagDirty = false;

  constructor(
    private readonly db: SqlDb,
    private readonly kafka: Kafka,
    private readonly prices: PriceBook,
    private readonly options: KafkaLedgerConsumerOptions,
    private readonly logger: Logger,
  ) {}

  private get prefix(): string {
    return `${this.options.name}/${this.options.topic}/`;
  }

  /** Starts consuming in the background until `stop`. */
  start(): void {
    this.loop ??= this.run();
    if (this.options.lagGroupId !== '') this.lagLoop ??= this.commitLagLoop();
  }

  /** Stops after the chunk in flight (its transaction commits or rolls back whole). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    await this.lagLoop;
  }

  /** True when every partition's stored position has reached the topic's current high-water mark. */
  async caughtUp(): Promise<boolean> {
    const stored = await loadPositionsUnder(this.db, this.prefix);
    for (const [key, { high, low }] of await highWaterMarks(this.kafka, [this.options.topic])) {
      const partition = key.slice(this.options.topic.length + 1);
      if (high > low && (stored.get(partition) ?? 0n) < high) return false;
    }
    return true;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let consumer: Consumer | undefined;
      try {
        this.positions = await loadPositionsUnder(this.db, this.prefix);
        const failed = new Promise<unknown>((resolve) => {
          this.failConsumer = resolve;
          signal.addEventListener('abort', () => resolve(undefined), { once: true });
        });
        consumer = await startConsumer(this.kafka, {
          groupId: `${this.options.clientId}-${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
          allowAutoTopicCreation: false,
          sessionTimeout: 10_000,
          heartbeatInterval: 1000,
          retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
        }, [this.options.topic], { autoCommit: false, eachBatchAutoResolve: false, eachBatch: (p) => this.onBatch(p, consumer!) });
        for (const [partition, offset] of this.positions) consumer.seek({ topic: this.options.topic, partition: Number(partition), offset: offset.toString() });
        consumer.on(consumer.events.CRASH, (e) => this.failConsumer(e.payload.error));
        this.logger.info({ positions: Object.fromEntries([...this.positions].map(([p, o]) => [p, o.toString()])) }, 'kafka ledger consumer resuming');
        const err = await failed;
        if (err !== undefined) throw err;
      } catch (err) {
        this.logger.error({ err }, 'kafka ledger consumer failed; rebuilding it from the stored positions');
        await consumer?.disconnect().catch(() => {});
        consumer = undefined;
        await sleep(this.options.retryDelayMs, signal);
      } finally {
        await consumer?.disconnect().catch(() => {});
      }
    }
  }

  private failConsumer: (err: unknown) => void = () => {};

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload, consumer: Consumer): Promise<void> {
    const partition = String(batch.partition);
    try {
      let from = this.positions.get(partition) ?? 0n;
      const messages = batch.messages.filter((m) => BigInt(m.offset) >= from);
      if (messages.length === 0) {
        if (batch.messages.length > 0) consumer.seek({ topic: batch.topic, partition: batch.partition, offset: from.toString() });
        return;
      }
      for (let i = 0; i < messages.length; i += this.options.batchSize) {
        if (!isRunning() || isStale() || this.abort.signal.aborted) return;
        const chunk = messages.slice(i, i + this.options.batchSize);
        // The batch's last offset also counts control records (the commit markers transactional
        // producers write after their records): ending the position past them makes a drained
        // partition's position equal its high-water mark.
        const last = i + this.options.batchSize >= messages.length;
        const chunkEnd = BigInt(chunk.at(-1)!.offset) + 1n;
        const batchEnd = BigInt(batch.lastOffset()) + 1n;
        const to = last && batchEnd > chunkEnd ? batchEnd : chunkEnd;
        const envelopes: Envelope[] = [];
        for (const m of chunk) {
          try {
            envelopes.push(fromBinary(events.EnvelopeSchema, m.value ?? new Uint8Array()));
          } catch (err) {
            this.logger.error({ err, partition, offset: m.offset }, 'record is not a serialized Envelope; skipped');
          }
        }
        const moves = [{ key: this.prefix + partition, from, to }];
        const { usageLines, inserted } = await chargeEnvelopes(this.db, this.prices, envelopes, moves);
        this.positions.set(partition, to);
        this.lagDirty = true;
        from = to;
        this.options.onCommitted?.();
        this.logger.debug({ source: `${batch.topic}/${partition}`, position: to.toString(), inserted }, 'ledger batch committed');
        if (inserted < usageLines) this.logger.info({ skipped: usageLines - inserted }, 'usage events already in the ledger were skipped');
        resolveOffset((to - 1n).toString());
        await heartbeat();
      }
    } catch (err) {
      this.failConsumer(err);
    }
  }

  /** Mirrors the positions into the lag group, after they are committed in the database. */
  private async commitLagLoop(): Promise<void> {
    const signal = this.abort.signal;
    let admin: Admin | undefined;
    let failing = false;
    while (!signal.aborted) {
      await sleep(this.options.lagCommitIntervalMs, signal);
      if (!this.lagDirty) continue;
      try {
        this.lagDirty = false;
        if (admin === undefined) {
          admin = this.kafka.admin();
          await admin.connect();
        }
        const partitions = [...this.positions].map(([p, offset]) => ({ partition: Number(p), offset: offset.toString() }));
        await admin.setOffsets({ groupId: this.options.lagGroupId, topic: this.options.topic, partitions });
        if (failing) this.logger.info('ledger positions mirrored to the lag group again');
        failing = false;
      } catch (err) {
        this.lagDirty = true;
        // Once per streak: the mirror is for monitoring only and retries every interval.
        if (!failing) this.logger.warn({ err }, 'could not mirror ledger positions to the lag group (monitoring only); retrying');
        failing = true;
        await admin?.disconnect().catch(() => {});
        admin = undefined;
      }
    }
    await admin?.disconnect().catch(() => {});
  }
}
