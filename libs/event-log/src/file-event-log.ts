import { mkdir, readdir, unlink } from 'node:fs/promises';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { MeshError, Code } from '@infermesh/errors';
import { events } from '@infermesh/proto';
import type { Envelope, EventLog, LogRecord } from './event-log.js';
import { encodeFrame, framePayload, MAX_RECORD_BYTES } from './framing.js';
import { checkRead } from './memory-event-log.js';
import { parseSegmentFileName, Segment } from './segment.js';
import { compareOffsets, loadSegments, syncDir } from './segment-files.js';
import { AppendWaiters } from './waiters.js';
import { acquireWriterLock } from './writer-lock.js';

export interface FileEventLogOptions {
  /** Open without the writer lock, never modifying files (replay and audit while the mesh runs). */
  readOnly: boolean;
  /** A new segment starts once the current one reaches this size, bytes (default 64 MiB). */
  segmentBytes: number;
  /** Upper bound on bytes one `read` loads (default 4 MiB; at least one record is returned). */
  maxReadBytes: number;
  /** Read-only views re-scan the files this often while a reader waits, ms (default 200). */
  pollIntervalMs: number;
}

export function defaultFileEventLogOptions(): FileEventLogOptions {
  return { readOnly: false, segmentBytes: 64 * 1024 * 1024, maxReadBytes: 4 * 1024 * 1024, pollIntervalMs: 200 };
}

interface PendingAppend {
  frames: Buffer[];
  envelopes: readonly Envelope[];
  resolve: (records: LogRecord[]) => void;
  reject: (err: unknown) => void;
}

/** Counters that show group commit at work: `commits` (fsyncs) below `appendCalls` under load. */
export interface FileEventLogStats {
  appendCalls: number;
  commits: number;
  records: bigint;
}

/**
 * The embedded event log: append-only segment files `<base offset>.log` in one directory, each
 * record framed as u32 length + u32 CRC-32 + envelope bytes (see framing.ts), offsets = record
 * ordinals from 0, indexed in memory on open.
 *
 * Durability: appends queue while a commit is in flight and the next commit writes them all with
 * one write and one fdatasync (group commit); `append` resolves, and readers see the records,
 * only after that fsync. On open a writer truncates a torn tail of the last segment (a partial or
 * bad-CRC record from a crash: nothing acknowledged can be there, since acknowledgement follows
 * fsync); damage in an earlier segment is DATA_LOSS. After a failed write or fsync the log
 * refuses appends until reopened, because the file state is then unknown.
 */
export class FileEventLog implements EventLog {
  private readonly waiters = new AppendWaiters();
  private pending: PendingAppend[] = [];
  private committing = false;
  private idle: (() => void)[] = [];
  private failure: unknown;
  private closed = false;
  private readonly counters = { appendCalls: 0, commits: 0 };

  private constructor(
    readonly dir: string,
    private readonly segments: Segment[],
    private readonly options: FileEventLogOptions,
    private readonly releaseLock: (() => Promise<void>) | undefined,
    /** Bytes of torn tail cut away (writer) or ignored (read-only) when this log was opened. */
    readonly tornBytesAtOpen: number,
  ) {}

  static async open(dir: string, options: Partial<FileEventLogOptions> = {}): Promise<FileEventLog> {
    const opts = { ...defaultFileEventLogOptions(), ...options };
    if (!opts.readOnly) await mkdir(dir, { recursive: true });
    const release = opts.readOnly ? undefined : await acquireWriterLock(dir);
    const segments: Segment[] = [];
    try {
      const { segments: loaded, torn } = await loadSegments(dir, !opts.readOnly);
      segments.push(...loaded);
      if (segments.length === 0 && !opts.readOnly) {
        segments.push(await Segment.create(dir, 0n));
        await syncDir(dir);
      }
      return new FileEventLog(dir, segments, opts, release, torn);
    } catch (err) {
      await Promise.all(segments.map((s) => s.close()));
      await release?.();
      throw err instanceof MeshError ? err : new MeshError(Code.Unavailable, `cannot open event log ${dir}`, { cause: err });
    }
  }

  endOffset(): bigint {
    return this.segments.at(-1)?.endOffset ?? 0n;
  }

  startOffset(): bigint {
    return this.segments[0]?.baseOffset ?? 0n;
  }

  /**
   * Deletes the whole segments that end at or before `offset`, never the last one (it holds the
   * chain head `Producer.open` recovers), e.g. the prefix of an outbox that Kafka acknowledged.
   * Returns the new start offset. Granularity is one segment (`segmentBytes`).
   */
  async deleteBefore(offset: bigint): Promise<bigint> {
    if (this.options.readOnly) throw new MeshError(Code.FailedPrecondition, 'event log is open read-only');
    let removed = 0;
    while (this.segments.length > 1 && this.segments[0]!.endOffset <= offset) {
      const seg = this.segments.shift()!;
      await seg.close();
      await unlink(seg.path);
      removed++;
    }
    if (removed > 0) await syncDir(this.dir);
    return this.startOffset();
  }

  stats(): FileEventLogStats {
    return { ...this.counters, records: this.endOffset() };
  }

  append(envelopes: readonly Envelope[]): Promise<LogRecord[]> {
    if (this.options.readOnly) return Promise.reject(new MeshError(Code.FailedPrecondition, 'event log is open read-only'));
    if (this.closed) return Promise.reject(new MeshError(Code.FailedPrecondition, 'event log is closed'));
    if (this.failure !== undefined) return Promise.reject(new MeshError(Code.Unavailable, 'event log failed; reopen it', { cause: this.failure }));
    if (envelopes.length === 0) return Promise.resolve([]);
    this.counters.appendCalls++;
    let frames: Buffer[];
    try {
      frames = envelopes.map((e) => {
        const bytes = toBinary(events.EnvelopeSchema, e);
        if (bytes.length > MAX_RECORD_BYTES) throw new MeshError(Code.InvalidArgument, `envelope ${e.id} is ${bytes.length} bytes; the limit is ${MAX_RECORD_BYTES}`);
        return encodeFrame(bytes);
      });
    } catch (err) {
      return Promise.reject(MeshError.from(err));
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ frames, envelopes, resolve, reject });
      if (!this.committing) void this.commitLoop();
    });
  }

  private async commitLoop(): Promise<void> {
    this.committing = true;
    try {
      while (this.pending.length > 0 && this.failure === undefined) {
        const batch = this.pending;
        this.pending = [];
        await this.commit(batch);
      }
      for (const p of this.pending.splice(0)) p.reject(new MeshError(Code.Unavailable, 'event log failed; reopen it', { cause: this.failure }));
    } finally {
      this.committing = false;
      for (const done of this.idle.splice(0)) done();
    }
  }

  private async commit(batch: PendingAppend[]): Promise<void> {
    try {
      let seg = this.segments.at(-1)!;
      if (seg.size >= this.options.segmentBytes) {
        seg = await Segment.create(this.dir, seg.endOffset);
        await syncDir(this.dir);
        this.segments.push(seg);
      }
      const frames = batch.flatMap((p) => p.frames);
      await seg.appendDurably(Buffer.concat(frames));
      let offset = seg.endOffset;
      seg.indexAppended(frames.map((f) => f.length));
      this.counters.commits++;
      for (const p of batch) {
        p.resolve(p.envelopes.map((envelope) => ({ offset: offset++, envelope })));
      }
      this.waiters.notify(this.endOffset());
    } catch (err) {
      this.failure = err;
      const error = new MeshError(Code.Unavailable, 'event log write failed', { cause: err });
      for (const p of batch) p.reject(error);
    }
  }

  async read(fromOffset: bigint, maxRecords: number): Promise<{ records: LogRecord[]; nextOffset: bigint }> {
    checkRead(fromOffset, maxRecords, this.endOffset(), this.startOffset());
    const seg = this.segmentOf(fromOffset);
    if (seg === undefined) return { records: [], nextOffset: fromOffset };
    const first = Number(fromOffset - seg.baseOffset);
    let count = Math.min(maxRecords, seg.count - first);
    const limit = seg.positions[first]! + this.options.maxReadBytes;
    while (count > 1 && (first + count < seg.count ? seg.positions[first + count]! : seg.size) > limit) count = Math.max(1, count >> 1);
    const { buf, start } = await seg.readRecords(first, count);
    const records: LogRecord[] = [];
    for (let i = 0; i < count; i++) {
      const offset = fromOffset + BigInt(i);
      const body = framePayload(buf, seg.positions[first + i]! - start);
      if (body === undefined) throw new MeshError(Code.DataLoss, `record ${offset} in ${seg.path} fails its checksum`);
      records.push({ offset, envelope: fromBinary(events.EnvelopeSchema, body) });
    }
    return { records, nextOffset: fromOffset + BigInt(count) };
  }

  async waitForAppend(nextOffset: bigint, signal: AbortSignal, timeoutMs: number): Promise<void> {
    if (!this.options.readOnly || this.closed) {
      return this.waiters.wait(nextOffset, this.closed ? nextOffset + 1n : this.endOffset(), signal, timeoutMs);
    }
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && !signal.aborted) {
      await this.refresh();
      const left = deadline - Date.now();
      if (this.endOffset() > nextOffset || left <= 0) return;
      await this.waiters.wait(nextOffset, this.endOffset(), signal, Math.min(left, this.options.pollIntervalMs));
    }
  }

  /**
   * Read-only views: picks up records (and segments) the writer added since open. Records a
   * writer has written but not yet fsync'ed may be seen; a replay taken from a running mesh is a
   * snapshot, not an audit of durability.
   */
  async refresh(): Promise<void> {
    if (!this.options.readOnly || this.closed) return;
    let last = this.segments.at(-1);
    if (last !== undefined) await last.indexNewFrames();
    for (const base of (await readdir(this.dir)).map(parseSegmentFileName).filter((b) => b !== undefined).sort(compareOffsets)) {
      if (last !== undefined && base <= last.baseOffset) continue;
      if (base !== this.endOffset()) break;
      const { segment } = await Segment.load(this.dir, base, false);
      this.segments.push(segment);
      last = segment;
    }
    this.waiters.notify(this.endOffset());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.committing) await new Promise<void>((r) => this.idle.push(r));
    this.waiters.wakeAll();
    await Promise.all(this.segments.map((s) => s.close()));
    await this.releaseLock?.();
  }

  private segmentOf(offset: bigint): Segment | undefined {
    let lo = 0;
    let hi = this.segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid;
      else hi = mid - 1;
    }
    const seg = this.segments[lo];
    return seg !== undefined && offset < seg.endOffset ? seg : undefined;
  }
}
