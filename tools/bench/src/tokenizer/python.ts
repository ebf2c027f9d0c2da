import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureTiktokenCache } from '@infermesh/tokenizer';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Repository root (this file is tools/bench/{src,dist}/tokenizer/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const VENV_PYTHON = join(REPO_ROOT, '.tools', 'pyref', 'bin', 'python');
const SCRIPT = join(REPO_ROOT, 'tools', 'bench', 'src', 'tokenizer', 'pyencode.py');

/** One model as pyencode.py loads it. */
export type PyModel =
  | { id: string; kind: 'hf'; tokenizer_file: string }
  | { id: string; kind: 'tiktoken'; encoding: 'o200k_base' | 'cl100k_base' };

/** The venv interpreter, or an Error naming the command that provisions it. */
export function pythonOrError(): string | Error {
  if (existsSync(VENV_PYTHON)) return VENV_PYTHON;
  return new Error(`${VENV_PYTHON} is missing: run \`bash tools/scripts/ensure-python-refs.sh\``);
}

/** The tiktoken rank files pyencode.py loads, generated offline (see @infermesh/tokenizer's ensureTiktokenCache). */
export function tiktokenCache(): Promise<string> {
  return ensureTiktokenCache();
}

/**
 * A running pyencode.py: one Python process, one thread (RAYON_NUM_THREADS=1), models loaded and
 * warmed by an untimed pass; `pass(id)` runs one timed pass and resolves with its duration as
 * measured inside Python (ns), so process start and the pipe are never timed.
 */
export class PythonEncoder {
  private readonly lines: AsyncIterator<string>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams, readonly versions: Record<string, string>, readonly counts: Record<string, number[]>, lines: AsyncIterator<string>) {
    this.lines = lines;
  }

  /** Starts the process and waits for its untimed pass. Rejects with the tail of its stderr when it fails. */
  static async start(python: string, texts: readonly string[], models: readonly PyModel[]): Promise<PythonEncoder> {
    const env = { ...process.env, TIKTOKEN_CACHE_DIR: await tiktokenCache(), RAYON_NUM_THREADS: '1', TOKENIZERS_PARALLELISM: 'false' };
    const child = spawn(python, [SCRIPT], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const err: Buffer[] = [];
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stdin.write(JSON.stringify({ texts, models }) + '\n');
    const first = await lines.next();
    if (first.done === true) throw new Error(`pyencode.py failed: ${Buffer.concat(err).toString('utf8').slice(-1500)}`);
    const init = JSON.parse(first.value) as { versions: Record<string, string>; counts: Record<string, number[]> };
    return new PythonEncoder(child, init.versions, init.counts, lines);
  }

  /** One timed pass of the model over all texts, ns. */
  async pass(model: string): Promise<number> {
    this.child.stdin.write(model + '\n');
    const line = await this.lines.next();
    if (line.done === true) throw new Error('pyencode.py exited');
    return Number(line.value);
  }

  /** Ends the process (closes its stdin). */
  close(): void {
    this.child.stdin.end();
  }
}
