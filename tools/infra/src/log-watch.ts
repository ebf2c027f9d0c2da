import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** True when `needle` occurs in `file` after byte `from` (what this start of the server wrote). */
export function logContains(file: string, from: number, needle: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const size = statSync(file).size;
    if (size <= from) return false;
    const buf = Buffer.alloc(Math.min(size - from, 4 << 20));
    readSync(fd, buf, 0, buf.length, from);
    return buf.includes(needle);
  } finally {
    closeSync(fd);
  }
}

/** Size of `file` in bytes, 0 when it does not exist yet. */
export function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
