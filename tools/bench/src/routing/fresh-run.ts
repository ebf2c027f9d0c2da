import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FreshRun } from './speed.js';

const ENTRY = fileURLToPath(new URL('./fresh-run-main.js', import.meta.url));

/**
 * Runs one cache-aware simulation as the first and only run of a fresh Node process (this one's
 * executable and V8 flags), so that the JIT's warm-up is counted as a CLI run counts it; the
 * workload is prepared before the clock. Blocks until the child exits; throws when it fails.
 */
export function freshRun(c: { workload: string; rate: number; requests: number }, workers: number, seed: number): FreshRun {
  const args = [...process.execArgv, ENTRY, '--workload', c.workload, '--rate', String(c.rate), '--requests', String(c.requests), '--workers', String(workers), '--seed', String(seed)];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  return JSON.parse(out) as FreshRun;
}
