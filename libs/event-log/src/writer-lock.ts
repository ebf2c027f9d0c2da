import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MeshError, Code } from '@infermesh/errors';

const LOCK_FILE = 'writer.lock';
const inProcess = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Claims the single-writer role on a log directory: two writers would interleave frames and
 * fork offsets. The lock file holds the writer's pid; one left by a dead process is taken over,
 * so a crash never needs manual cleanup. Returns the release function.
 */
export async function acquireWriterLock(dir: string): Promise<() => Promise<void>> {
  const key = resolve(dir);
  if (inProcess.has(key)) throw new MeshError(Code.FailedPrecondition, `event log ${dir} is already open for writing in this process`);
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      await writeFile(path, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new MeshError(Code.FailedPrecondition, `event log ${dir} is locked by process ${holder}`);
      }
      await rm(path, { force: true });
    }
  }
  inProcess.add(key);
  return async () => {
    inProcess.delete(key);
    await rm(path, { force: true });
  };
}
