import { open, readdir } from 'node:fs/promises';
import { MeshError, Code } from '@infermesh/errors';
import { parseSegmentFileName, Segment } from './segment.js';

export const compareOffsets = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Opens and indexes every segment of a log directory in offset order. Segments must be
 * contiguous; only the last may end in a torn tail, which a writer truncates here.
 */
export async function loadSegments(dir: string, writable: boolean): Promise<{ segments: Segment[]; torn: number }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new MeshError(Code.NotFound, `event log ${dir} does not exist`);
    throw err;
  }
  const bases = names.map(parseSegmentFileName).filter((b) => b !== undefined).sort(compareOffsets);
  const segments: Segment[] = [];
  let torn = 0;
  try {
    for (const [i, base] of bases.entries()) {
      // The first segment may start above 0: a deleted prefix (FileEventLog.deleteBefore).
      const expected = segments.at(-1)?.endOffset ?? base;
      const isLast = i === bases.length - 1;
      if (base !== expected) throw new MeshError(Code.DataLoss, `event log ${dir}: segment ${base} should start at offset ${expected}`);
      const loaded = await Segment.load(dir, base, writable && isLast);
      segments.push(loaded.segment);
      if (loaded.tornBytes > 0 && !isLast) {
        throw new MeshError(Code.DataLoss, `event log ${dir}: segment ${base} has ${loaded.tornBytes} damaged bytes before later segments`);
      }
      if (loaded.tornBytes > 0 && writable) await loaded.segment.truncateTail();
      torn = loaded.tornBytes;
    }
  } catch (err) {
    await Promise.all(segments.map((s) => s.close()));
    throw err;
  }
  return { segments, torn };
}

/** Makes a created or removed directory entry durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
