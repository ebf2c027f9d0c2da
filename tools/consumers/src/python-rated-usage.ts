import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RatedUsageTotals, TenantUsageTotals } from './rated-usage-totals.js';

/** Repository root (this file is tools/consumers/{src,dist}/). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The interpreter of the venv that tools/scripts/ensure-python-refs.sh provisions. */
export const PYREF_PYTHON = join(REPO_ROOT, '.tools', 'pyref', 'bin', 'python');

/** The Python consumer (confluent-kafka + classes generated from proto/). */
export const RATED_USAGE_SCRIPT = join(REPO_ROOT, 'tools', 'consumers', 'python', 'rated_usage_totals.py');

/** The Python consumer could not run or failed; `message` says why and what to do. */
export class PythonConsumerError extends Error {
  override readonly name = 'PythonConsumerError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface PythonRatedUsageOptions {
  /** Interpreter; default PYREF_PYTHON. */
  python?: string;
  /** Default `infermesh.rated-usage.v1`. */
  topic?: string;
  /** The consumer stops (complete=false) when nothing arrives for this long, ms. Default 5000. */
  idleMs?: number;
  /** The consumer gives up (this rejects) after this long, ms. Default 60000. */
  timeoutMs?: number;
}

interface WireTotals {
  topic: string;
  records: number;
  duplicates: number;
  skipped: number;
  complete: boolean;
  tenants: Record<string, { requests: string; prompt_tokens: string; cached_prompt_tokens: string; completion_tokens: string; amount_micros: string }>;
}

/**
 * Runs tools/consumers/python/rated_usage_totals.py against `brokers` and returns its per-tenant
 * totals of the rated-usage topic (read from the beginning up to the end offsets at its start,
 * deduplicated on `source_event_id`), integers as bigint. Rejects with PythonConsumerError when the
 * venv is missing (naming the setup command), when the script exits non-zero (with its stderr),
 * or when it outlives `timeoutMs` plus a start-up margin (it is killed).
 */
export async function pythonRatedUsageTotals(brokers: string[], opts: PythonRatedUsageOptions = {}): Promise<RatedUsageTotals> {
  const python = opts.python ?? PYREF_PYTHON;
  if (!existsSync(python)) {
    throw new PythonConsumerError(`${python} is missing: run \`bash tools/scripts/ensure-python-refs.sh\` (it provisions confluent-kafka, protobuf and grpcio-tools in .tools/pyref)`);
  }
  if (brokers.length === 0) throw new PythonConsumerError('no Kafka brokers given');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const args = [RATED_USAGE_SCRIPT, '--brokers', brokers.join(','), '--timeout-ms', String(timeoutMs), '--idle-ms', String(opts.idleMs ?? 5000)];
  if (opts.topic !== undefined) args.push('--topic', opts.topic);
  const { code, stdout, stderr } = await run(python, args, timeoutMs + 30_000);
  if (code !== 0) throw new PythonConsumerError(`rated_usage_totals.py exited with ${code}: ${stderr.trim().slice(-2000)}`);
  let wire: WireTotals;
  try {
    wire = JSON.parse(stdout) as WireTotals;
  } catch (err) {
    throw new PythonConsumerError(`rated_usage_totals.py printed no JSON: ${stdout.slice(0, 200)}`, { cause: err });
  }
  const tenants = new Map<string, TenantUsageTotals>();
  for (const [tenant, t] of Object.entries(wire.tenants)) {
    tenants.set(tenant, {
      requests: BigInt(t.requests),
      promptTokens: BigInt(t.prompt_tokens),
      cachedPromptTokens: BigInt(t.cached_prompt_tokens),
      completionTokens: BigInt(t.completion_tokens),
      amountMicros: BigInt(t.amount_micros),
    });
  }
  return { topic: wire.topic, records: wire.records, duplicates: wire.duplicates, skipped: wire.skipped, complete: wire.complete, tenants };
}

/** Runs a process to completion; code is null when it was killed after `killAfterMs`. */
function run(cmd: string, args: string[], killAfterMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${killAfterMs} ms)`;
      child.kill('SIGKILL');
    }, killAfterMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new PythonConsumerError(`cannot run ${cmd}: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
