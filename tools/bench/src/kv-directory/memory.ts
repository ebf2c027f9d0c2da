import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fill, IMPLEMENTATIONS, prng } from './workload.js';

export interface MemoryResult {
  readonly impl: string;
  readonly blocks: number;
  readonly refs: number;
  /** (heapUsed + external) after - before, bytes per distinct block (typed arrays are external). */
  readonly bytesPerBlock: number;
  /** Resident set growth per distinct block: what the OS actually gave the process. */
  readonly rssPerBlock: number;
  readonly fillSeconds: number;
}

/** Old-space limit for the child, MiB: the baseline needs several GiB at 10M blocks. */
export const CHILD_HEAP_MB = 12_288;

/**
 * Measures one (implementation, size) in a fresh child process so that neither the other
 * implementation's garbage nor this process's workload arrays pollute the numbers. The child runs
 * with --expose-gc and forces collections before both readings.
 */
export function measureMemory(impl: string, blocks: number): MemoryResult | { impl: string; blocks: number; error: string } {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  const child = spawnSync(process.execPath, ['--expose-gc', `--max-old-space-size=${CHILD_HEAP_MB}`, main, '--memory-child', impl, String(blocks)], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !line.startsWith('{')) return { impl, blocks, error: `exit ${child.status}: ${child.stderr.slice(-300)}` };
  return JSON.parse(line) as MemoryResult;
}

/** The child side: build the index, print one JSON line. */
export function memoryChild(impl: string, blocks: number): void {
  const make = IMPLEMENTATIONS[impl];
  if (make === undefined) throw new Error(`unknown implementation ${impl}`);
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  gc();
  gc();
  const before = process.memoryUsage();
  const t0 = process.hrtime.bigint();
  const index = make();
  const refs = fill(index, prng(42), blocks, 64);
  const fillSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  gc();
  gc();
  const after = process.memoryUsage();
  if (index.stats().blocksIndexed !== blocks) throw new Error(`indexed ${index.stats().blocksIndexed} blocks, wanted ${blocks}`);
  const total = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external;
  const result: MemoryResult = {
    impl,
    blocks,
    refs,
    bytesPerBlock: (total(after) - total(before)) / blocks,
    rssPerBlock: (after.rss - before.rss) / blocks,
    fillSeconds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
