import { clone, fromBinary, toBinary } from '@bufbuild/protobuf';
import { MeshError, Code } from '@infermesh/errors';
import { events } from '@infermesh/proto';
import type { Envelope, EventLog, LogRecord } from './event-log.js';
import { AppendWaiters } from './waiters.js';

/**
 * A log held in memory, for unit tests and throwaway runs. Envelopes are copied in and out
 * through their wire bytes, so tests see exactly what a durable log would give back and a
 * caller mutating a returned envelope cannot change the log.
 */
export class MemoryEventLog implements EventLog {
  private readonly stored: Uint8Array[] = [];
  private readonly waiters = new AppendWaiters();
  private closed = false;

  async append(envelopes: readonly Envelope[]): Promise<LogRecord[]> {
    if (this.closed) throw new MeshError(Code.FailedPrecondition, 'event log is closed');
    const records: LogRecord[] = [];
    for (const env of envelopes) {
      const offset = BigInt(this.stored.length);
      this.stored.push(toBinary(events.EnvelopeSchema, env));
      records.push({ offset, envelope: clone(events.EnvelopeSchema, env) });
    }
    this.waiters.notify(this.endOffset());
    return records;
  }

  async read(fromOffset: bigint, maxRecords: number): Promise<{ records: LogRecord[]; nextOffset: bigint }> {
    checkRead(fromOffset, maxRecords, this.endOffset());
    const start = Number(fromOffset);
    const slice = this.stored.slice(start, start + maxRecords);
    const records = slice.map((bytes, i) => ({ offset: fromOffset + BigInt(i), envelope: fromBinary(events.EnvelopeSchema, bytes) }));
    return { records, nextOffset: fromOffset + BigInt(records.length) };
  }

  startOffset(): bigint {
    return 0n;
  }

  endOffset(): bigint {
    return BigInt(this.stored.length);
  }

  waitForAppend(nextOffset: bigint, signal: AbortSignal, timeoutMs: number): Promise<void> {
    return this.waiters.wait(nextOffset, this.closed ? nextOffset + 1n : this.endOffset(), signal, timeoutMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.waiters.wakeAll();
  }
}

/** The argument checks every implementation applies to `read`. */
export function checkRead(fromOffset: bigint, maxRecords: number, end: bigint, start = 0n): void {
  if (!Number.isInteger(maxRecords) || maxRecords < 1) {
    throw new MeshError(Code.InvalidArgument, `maxRecords must be a positive integer, got ${maxRecords}`);
  }
  if (fromOffset < start || fromOffset > end) {
    throw new MeshError(Code.OutOfRange, `offset ${fromOffset} is outside the log [${start}, ${end}]`);
  }
}
