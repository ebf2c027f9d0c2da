import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { MeshError, Code } from '@infermesh/errors';
import { scanFrames } from './framing.js';

const NAME = /^(\d{20})\.log$/;

/** File name of the segment whose first record has `baseOffset`: zero-padded so names sort. */
export function segmentFileName(baseOffset: bigint): string {
  return `${baseOffset.toString().padStart(20, '0')}.log`;
}

/** The base offset encoded in a segment file name, or undefined for other files. */
export function parseSegmentFileName(name: string): bigint | undefined {
  const m = NAME.exec(name);
  return m === null ? undefined : BigInt(m[1]!);
}

/**
 * One segment file and its in-memory index. `positions[i]` is the byte position of record
 * `baseOffset + i`; `size` is the end of the last indexed record (bytes past it are either a
 * torn tail or, for a read-only view, data the writer has not finished). Owns its file handle.
 */
export class Segment {
  private constructor(
    readonly baseOffset: bigint,
    readonly path: string,
    private readonly fh: FileHandle,
    public size: number,
    readonly positions: number[],
  ) {}

  /** Creates an empty segment file (the caller fsyncs the directory). */
  static async create(dir: string, baseOffset: bigint): Promise<Segment> {
    const path = join(dir, segmentFileName(baseOffset));
    const fh = await open(path, 'wx+');
    return new Segment(baseOffset, path, fh, 0, []);
  }

  /**
   * Opens and indexes an existing segment. `tornBytes` counts bytes after the last valid frame;
   * a writer truncates them (`truncateTail`), a reader ignores them.
   */
  static async load(dir: string, baseOffset: bigint, writable: boolean): Promise<{ segment: Segment; tornBytes: number }> {
    const path = join(dir, segmentFileName(baseOffset));
    const fh = await open(path, writable ? 'r+' : 'r');
    try {
      const buf = await fh.readFile();
      const scan = scanFrames(buf);
      return { segment: new Segment(baseOffset, path, fh, scan.validEnd, scan.positions), tornBytes: buf.length - scan.validEnd };
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  get count(): number {
    return this.positions.length;
  }

  get endOffset(): bigint {
    return this.baseOffset + BigInt(this.positions.length);
  }

  /** Cuts the file back to the indexed records and makes the cut durable. */
  async truncateTail(): Promise<void> {
    await this.fh.truncate(this.size);
    await this.fh.sync();
  }

  /** Writes `buf` at the end and fsyncs; the caller indexes the frames after this resolves. */
  async appendDurably(buf: Buffer): Promise<void> {
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await this.fh.write(buf, done, buf.length - done, this.size + done);
      done += bytesWritten;
    }
    await this.fh.datasync();
  }

  /** Records the frames just made durable: `frameLengths` in order, starting at `size`. */
  indexAppended(frameLengths: readonly number[]): void {
    for (const len of frameLengths) {
      this.positions.push(this.size);
      this.size += len;
    }
  }

  /** Bytes of records [first, first + count) of this segment, as one buffer starting at record `first`. */
  async readRecords(first: number, count: number): Promise<{ buf: Buffer; start: number }> {
    const start = this.positions[first]!;
    const end = first + count < this.positions.length ? this.positions[first + count]! : this.size;
    const buf = Buffer.allocUnsafe(end - start);
    let done = 0;
    while (done < buf.length) {
      const { bytesRead } = await this.fh.read(buf, done, buf.length - done, start + done);
      if (bytesRead === 0) throw new MeshError(Code.DataLoss, `segment ${this.path} is shorter than its index`);
      done += bytesRead;
    }
    return { buf, start };
  }

  /** Read-only views: indexes complete frames another process appended since the last look. */
  async indexNewFrames(): Promise<number> {
    const { size: fileSize } = await this.fh.stat();
    if (fileSize <= this.size) return 0;
    const buf = Buffer.allocUnsafe(fileSize - this.size);
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.size);
    const scan = scanFrames(buf.subarray(0, bytesRead));
    for (const p of scan.positions) this.positions.push(this.size + p);
    this.size += scan.validEnd;
    return scan.positions.length;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
