import type { MessageInitShape } from '@bufbuild/protobuf';
import type { events } from '@infermesh/proto';

/** The generated envelope message (`infermesh.events.v1.Envelope`). */
export type Envelope = events.Envelope;

/** One record of a log: its position and the sealed envelope stored there. */
export interface LogRecord {
  /** Position in this log: 0 for the first record, contiguous, never reused. */
  readonly offset: bigint;
  readonly envelope: Envelope;
}

/** The payload a producer sets: exactly one case of the envelope's `payload` oneof. */
export type EventPayload = Exclude<NonNullable<MessageInitShape<typeof events.EnvelopeSchema>['payload']>, { case: undefined }>;

/**
 * The fields of an envelope that the producing code decides. Everything else (id, type, time,
 * producer, schema version, sequence, hash chain) is assigned by a `Producer` when it seals.
 */
export interface EventDraft {
  tenantId: string;
  requestId: string;
  /** W3C trace id (32 lower-case hex); omit or '' when untraced. */
  traceId?: string;
  payload: EventPayload;
}

/**
 * The event-log port: a durable, totally ordered sequence of sealed envelopes.
 *
 * Implementations: `FileEventLog` (embedded, segment files with group commit) and
 * `MemoryEventLog` (tests); a Kafka implementation maps one log to one topic partition.
 * Producers append through a `Producer`, which seals envelopes; the log itself stores what it is
 * given and never rewrites it.
 */
export interface EventLog {
  /**
   * Appends sealed envelopes in the given order, contiguously. Resolves only once they are
   * durable (fsync'ed) and visible to readers, with the offsets they got. On an I/O failure the
   * promise rejects (UNAVAILABLE) and the caller must assume nothing about whether the batch was
   * stored; the file log then refuses further appends until reopened.
   */
  append(envelopes: readonly Envelope[]): Promise<LogRecord[]>;
  /**
   * Up to `maxRecords` records from `fromOffset` (inclusive). `nextOffset` is where the next read
   * should start; an empty result means `fromOffset` is at the end. OUT_OF_RANGE when
   * `fromOffset` is past the end; DATA_LOSS when stored bytes fail their checksum.
   */
  read(fromOffset: bigint, maxRecords: number): Promise<{ records: LogRecord[]; nextOffset: bigint }>;
  /** Offset the next appended record will get (= number of durable records ever appended). */
  endOffset(): bigint;
  /**
   * The first offset still stored: 0 unless a prefix was deleted (an outbox drops what Kafka has
   * acknowledged). Reads below it fail with OUT_OF_RANGE.
   */
  startOffset(): bigint;
  /**
   * Resolves once the record at `nextOffset` exists (`endOffset() > nextOffset`), or after
   * `timeoutMs`, or when `signal` aborts, whichever is first. Never rejects: callers re-check
   * `endOffset()` and `signal.aborted`. Many readers may wait at once.
   */
  waitForAppend(nextOffset: bigint, signal: AbortSignal, timeoutMs: number): Promise<void>;
  /** Waits for in-flight appends, then releases files. Waiting readers are woken. Idempotent. */
  close(): Promise<void>;
}
