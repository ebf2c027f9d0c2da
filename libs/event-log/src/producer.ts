import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { MeshError, Code } from '@infermesh/errors';
import { events } from '@infermesh/proto';
import { monotonicFactory } from 'ulid';
import type { Envelope, EventDraft, EventLog, LogRecord } from './event-log.js';
import { EVENT_TYPES, SCHEMA_VERSION } from './event-types.js';
import { GENESIS_HASH, seal } from './hash-chain.js';
import { findLastOf } from './recovery.js';

export interface ProducerOptions {
  /** Wall clock in epoch milliseconds; injected so tests and simulations control time. */
  now?: () => number;
  /** Most envelopes handed to the log in one append (default 1000). */
  maxBatch?: number;
}

interface Pending {
  drafts: readonly EventDraft[];
  resolve: (records: LogRecord[]) => void;
  reject: (err: unknown) => void;
}

/** Producer names live in one process per log: two live instances would fork one chain. */
const liveNames = new WeakMap<EventLog, Set<string>>();

/**
 * The only way events should enter a log: seals drafts (ULID id, type, time, schema version,
 * per-producer sequence from 1 and the SHA-256 chain of events.proto) and appends them.
 *
 * Appends made while another is in flight are batched into the next log append, so concurrent
 * callers share one durable write and sequence order always equals log order, whatever the
 * log implementation. A name must be used by one instance at a time; `Producer.open` continues
 * the sequence and chain from the last envelope of that name in the log.
 */
export class Producer {
  private readonly queue: Pending[] = [];
  private flushing = false;
  private idleWaiters: (() => void)[] = [];
  private closed = false;
  private needsRecovery = false;
  private readonly nextId: (seedTime?: number) => string;
  private readonly now: () => number;
  private readonly maxBatch: number;

  private constructor(
    private readonly log: EventLog,
    readonly name: string,
    private sequence: bigint,
    private lastHash: Uint8Array,
    options: ProducerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.maxBatch = options.maxBatch ?? 1000;
    this.nextId = monotonicFactory();
  }

  /**
   * Opens producer `name` (e.g. "ingress/ab12") on `log`, recovering its sequence and chain head
   * from the log. FAILED_PRECONDITION if this process already has a live producer of that name.
   */
  static async open(log: EventLog, name: string, options: ProducerOptions = {}): Promise<Producer> {
    if (!/^[a-z][a-z0-9-]*\/[A-Za-z0-9._-]+$/.test(name)) {
      throw new MeshError(Code.InvalidArgument, `producer name must look like "service/instance", got "${name}"`);
    }
    const names = liveNames.get(log) ?? new Set<string>();
    if (names.has(name)) throw new MeshError(Code.FailedPrecondition, `producer ${name} is already open on this log`);
    names.add(name);
    liveNames.set(log, names);
    try {
      const last = await findLastOf(log, name);
      return new Producer(log, name, last?.sequence ?? 0n, last?.hash ?? GENESIS_HASH, options);
    } catch (err) {
      names.delete(name);
      throw err;
    }
  }

  /** Sequence number of the last envelope this producer sealed and stored (0 before the first). */
  lastSequence(): bigint {
    return this.sequence;
  }

  /**
   * Seals and appends `drafts` in order; resolves with their records once durable. On failure
   * the producer re-reads its chain head from the log before sealing anything else, so a failed
   * or partly stored batch never leaves a gap or fork in the chain.
   */
  append(drafts: readonly EventDraft[]): Promise<LogRecord[]> {
    if (this.closed) return Promise.reject(new MeshError(Code.FailedPrecondition, `producer ${this.name} is closed`));
    if (drafts.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ drafts, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  /** Stops accepting drafts; waits for queued ones. Frees the name for a later `open`. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.flushing) await new Promise<void>((r) => this.idleWaiters.push(r));
    liveNames.get(this.log)?.delete(this.name);
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch: Pending[] = [];
        let count = 0;
        while (this.queue.length > 0 && (batch.length === 0 || count + this.queue[0]!.drafts.length <= this.maxBatch)) {
          const p = this.queue.shift()!;
          batch.push(p);
          count += p.drafts.length;
        }
        await this.appendBatch(batch);
      }
    } finally {
      this.flushing = false;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async appendBatch(batch: Pending[]): Promise<void> {
    try {
      if (this.needsRecovery) {
        const last = await findLastOf(this.log, this.name);
        this.sequence = last?.sequence ?? 0n;
        this.lastHash = last?.hash ?? GENESIS_HASH;
        this.needsRecovery = false;
      }
      let seq = this.sequence;
      let prev = this.lastHash;
      const envelopes: Envelope[] = [];
      for (const p of batch) {
        for (const d of p.drafts) {
          seq += 1n;
          const env = this.build(d, seq);
          seal(env, prev);
          prev = env.hash;
          envelopes.push(env);
        }
      }
      const records = await this.log.append(envelopes);
      this.sequence = seq;
      this.lastHash = prev;
      let i = 0;
      for (const p of batch) {
        p.resolve(records.slice(i, i + p.drafts.length));
        i += p.drafts.length;
      }
    } catch (err) {
      this.needsRecovery = true;
      for (const p of batch) p.reject(err);
    }
  }

  private build(d: EventDraft, sequence: bigint): Envelope {
    const ms = this.now();
    return create(events.EnvelopeSchema, {
      id: this.nextId(ms),
      type: EVENT_TYPES[d.payload.case],
      schemaVersion: SCHEMA_VERSION,
      time: timestampFromMs(ms),
      producer: this.name,
      tenantId: d.tenantId,
      requestId: d.requestId,
      traceId: d.traceId ?? '',
      sequence,
      payload: d.payload,
    });
  }
}
