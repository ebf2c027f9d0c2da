import { MeshError, Code } from '@infermesh/errors';
import type { EventLog } from '@infermesh/event-log';
import type { Logger } from '@infermesh/telemetry';
import { chargeEnvelopes } from './charge.js';
import type { PriceBook } from './price-book.js';
import { sleep } from './sleep.js';
import { loadPosition } from './store/ledger-store.js';
import type { SqlDb } from './store/sql.js';

export interface LedgerConsumerOptions {
  /** Name of the position row; one running instance per name. */
  name: string;
  /** Most log records per transaction (1..5000). */
  batchSize: number;
  /** Longest wait for new records before re-checking, ms. */
  idleWaitMs: number;
  /** Pause after a failed batch before retrying it, ms. */
  retryDelayMs: number;
}

interface OffsetWaiter {
  offset: bigint;
  resolve: () => void;
}

/**
 * Builds the ledger from the event log, exactly once: each batch's lines and the new position
 * are one transaction (see commitBatch), and line keys are envelope ids, so a crash anywhere,
 * a restart or a re-delivered envelope can neither double-charge nor skip. Non-usage envelopes
 * only advance the position. A failed batch is retried from the stored position.
 */
export class LedgerConsumer {
  private next = 0n;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private offsetWaiters: OffsetWaiter[] = [];

  constructor(
    private readonly db: SqlDb,
    private readonly log: EventLog,
    private readonly prices: PriceBook,
    private readonly options: LedgerConsumerOptions,
    private readonly logger?: Logger,
  ) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1 || options.batchSize > 5000) {
      throw new MeshError(Code.InvalidArgument, 'batchSize must be in [1, 5000]');
    }
  }

  /** Loads the stored position; call before `step`, `catchUp` or `start`. */
  async init(): Promise<bigint> {
    this.next = await loadPosition(this.db, this.options.name);
    return this.next;
  }

  /** The next log offset to consume (everything before it is in the ledger). */
  position(): bigint {
    return this.next;
  }

  /** True when everything in the log now is in the ledger. */
  caughtUp(): Promise<boolean> {
    return Promise.resolve(this.next >= this.log.endOffset());
  }

  /** Consumes one batch, not beyond `untilOffset`. Returns how many records it consumed. */
  async step(untilOffset?: bigint): Promise<number> {
    const limit = untilOffset ?? this.log.endOffset();
    if (limit <= this.next) return 0;
    const max = Number(limit - this.next < BigInt(this.options.batchSize) ? limit - this.next : BigInt(this.options.batchSize));
    const { records, nextOffset } = await this.log.read(this.next, max);
    if (records.length === 0) return 0;
    const moves = [{ key: this.options.name, from: this.next, to: nextOffset }];
    const { usageLines, inserted } = await chargeEnvelopes(this.db, this.prices, records.map((r) => r.envelope), moves);
    this.logger?.debug({ source: 'log', position: nextOffset.toString(), inserted }, 'ledger batch committed');
    if (inserted < usageLines) this.logger?.info({ skipped: usageLines - inserted }, 'usage events already in the ledger were skipped');
    this.next = nextOffset;
    this.wakeOffsetWaiters();
    return records.length;
  }

  /** Consumes everything up to `untilOffset` (a replay's bound); returns when reached. */
  async catchUp(untilOffset: bigint): Promise<void> {
    while (this.next < untilOffset) {
      if ((await this.step(untilOffset)) === 0) throw new MeshError(Code.OutOfRange, `log ends before offset ${untilOffset}`);
    }
  }

  /** Starts consuming in the background until `stop`. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops after the batch in flight (its transaction either commits or rolls back whole). */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  /** Resolves once the ledger holds every record before `offset`; DEADLINE_EXCEEDED after `timeoutMs`. */
  waitForOffset(offset: bigint, timeoutMs: number): Promise<void> {
    if (this.next >= offset) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: OffsetWaiter = {
        offset,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.offsetWaiters = this.offsetWaiters.filter((w) => w !== waiter);
        reject(new MeshError(Code.DeadlineExceeded, `ledger did not reach offset ${offset} within ${timeoutMs} ms (at ${this.next})`));
      }, timeoutMs);
      this.offsetWaiters.push(waiter);
    });
  }

  private wakeOffsetWaiters(): void {
    const ready = this.offsetWaiters.filter((w) => w.offset <= this.next);
    if (ready.length === 0) return;
    this.offsetWaiters = this.offsetWaiters.filter((w) => w.offset > this.next);
    for (const w of ready) w.resolve();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        if ((await this.step()) === 0) await this.log.waitForAppend(this.next, signal, this.options.idleWaitMs);
      } catch (err) {
        this.logger?.error({ err, position: this.next.toString() }, 'ledger batch failed; retrying');
        await sleep(this.options.retryDelayMs, signal);
        if (signal.aborted) break;
        await this.init().catch(() => undefined);
      }
    }
  }
}
