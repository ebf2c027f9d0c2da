import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BLOCK_SIZE } from '@infermesh/worker-supervisor';
import { rootDigestBinary } from '@infermesh/kv-blocks';
import { simBlockDigest, simDigestKey } from './chain-hash.js';
import { openLoopWorkload, SIM_CACHE_SALT, SIM_VOCAB, tokenArray, type SimRequest, type Workload, type WorkloadOptions } from './types.js';

/** Llama-3.1's context: longer trace requests are cut to fit it with their output. */
export const MOONCAKE_MAX_CONTEXT = 131_072;

/** Tokens per hash id in the Mooncake trace. */
export const MOONCAKE_BLOCK_TOKENS = 512;

/** One line of the trace. */
interface TraceLine {
  timestamp: number;
  input_length: number;
  output_length: number;
  hash_ids: number[];
}

/**
 * `<repo>/../shared/traces/mooncake-synthetic.jsonl`, found from this file's location (src/ or
 * dist/ of tools/sim alike), so tests and benchmarks need no configuration.
 */
export function defaultMooncakePath(): string {
  return fileURLToPath(new URL('../../../../../shared/traces/mooncake-synthetic.jsonl', import.meta.url));
}

/** Reads the trace; throws an Error naming the expected path when it is absent. */
export function loadMooncakeTrace(path = defaultMooncakePath()): TraceLine[] {
  if (!existsSync(path)) {
    throw new Error(`Mooncake trace not found at ${path}: expected <repo>/../shared/traces/mooncake-synthetic.jsonl (see the README next to it)`);
  }
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TraceLine);
}

/**
 * The Mooncake synthetic trace (FAST'25), replayed with its real arrival times and prefix sharing.
 * - Subsampling by prefix family: a request is kept when its first hash id is a multiple of
 *   `sampleEvery` (default 4). Requests that share any prefix share their first block, so whole
 *   families (a conversation and everything reusing its prefix) are kept or dropped together and
 *   the trace's reuse survives: the ideal hit rate is 66.5% of prompt tokens with 1 in 4
 *   families (1,105 requests) against 65.1% for the whole trace. Taking the first N lines instead
 *   would keep only the early, reuse-poor part (17% in the first 1,000). Then at most `requests`.
 * - Time scaling: arrival times are divided by `rate / native rate` (native: lines / span of the
 *   selected lines), so `rate` is the mean request rate of the replay.
 * - Expansion: each 512-token hash id becomes 32 synthetic 16-token blocks whose token ids are a
 *   hash of (hash id, position in the block); the last block keeps only the tokens
 *   `input_length` leaves it. Equal ids at equal positions thus yield equal 16-token chains.
 * - Requests whose input plus output exceed Llama-3.1's 128K context keep their first tokens
 *   (the trace has a few).
 */
export function mooncakeWorkload(o: WorkloadOptions & { path?: string; sampleEvery?: number }): Workload {
  const every = o.sampleEvery ?? 4;
  return openLoopWorkload('mooncake', function* () {
    const lines = loadMooncakeTrace(o.path)
      .filter((l) => (l.hash_ids[0] ?? 0) % every === 0)
      .slice(0, o.requests);
    if (lines.length === 0) return;
    const span = Math.max(1, lines.at(-1)!.timestamp - lines[0]!.timestamp);
    const native = (lines.length / span) * 1000;
    const scale = o.rate / native;
    const expander = new Expander();
    for (const [id, l] of lines.entries()) {
      const maxTokens = Math.max(1, l.output_length);
      const { tokens, keys, lastDigest } = expander.expand({ ...l, input_length: Math.min(l.input_length, MOONCAKE_MAX_CONTEXT - maxTokens) });
      yield {
        id,
        arrivalMs: (l.timestamp - lines[0]!.timestamp) / scale,
        tenantId: `t-${id % 8}`,
        promptTokens: tokens,
        blockHashes: keys,
        lastBlockDigest: lastDigest,
        maxTokens,
      } satisfies SimRequest;
    }
  });
}

/** Memoised expansion: a (parent id, id) pair always expands to the same 32 blocks and digests. */
class Expander {
  private readonly memo = new Map<string, { tokens: Uint32Array; keys: bigint[]; digests: string[] }>();

  expand(line: TraceLine): { tokens: Uint32Array; keys: bigint[]; lastDigest: string | undefined } {
    // Joined by one copy at the end: per-token copies dominated the expansion's cost.
    const parts: Uint32Array[] = [];
    const keys: bigint[] = [];
    let lastDigest: string | undefined;
    let parent = rootDigestBinary(SIM_CACHE_SALT);
    let parentId = -1;
    for (let i = 0; i < line.hash_ids.length; i++) {
      const id = line.hash_ids[i]!;
      const n = Math.min(MOONCAKE_BLOCK_TOKENS, line.input_length - i * MOONCAKE_BLOCK_TOKENS);
      if (n <= 0) break;
      const memoKey = `${parentId}:${id}`;
      let chunk = this.memo.get(memoKey);
      if (chunk === undefined) {
        const t = new Uint32Array(MOONCAKE_BLOCK_TOKENS);
        for (let j = 0; j < MOONCAKE_BLOCK_TOKENS; j++) t[j] = mix(id, j) % SIM_VOCAB;
        const k: bigint[] = [];
        const ds: string[] = [];
        let d = parent;
        for (let b = 0; b < MOONCAKE_BLOCK_TOKENS / BLOCK_SIZE; b++) {
          d = simBlockDigest(d, t, b * BLOCK_SIZE);
          k.push(simDigestKey(d));
          ds.push(d);
        }
        chunk = { tokens: t, keys: k, digests: ds };
        this.memo.set(memoKey, chunk);
      }
      parts.push(n === MOONCAKE_BLOCK_TOKENS ? chunk.tokens : chunk.tokens.subarray(0, n));
      const fullBlocks = Math.floor(n / BLOCK_SIZE);
      for (let b = 0; b < fullBlocks; b++) keys.push(chunk.keys[b]!);
      if (fullBlocks > 0) lastDigest = chunk.digests[fullBlocks - 1];
      parent = chunk.digests.at(-1)!;
      parentId = id;
    }
    let total = 0;
    for (const p of parts) total += p.length;
    const tokens = tokenArray(total);
    let at = 0;
    for (const p of parts) {
      tokens.set(p, at);
      at += p.length;
    }
    return { tokens, keys, lastDigest };
  }
}

/** A 32-bit hash of (hash id, token position); deterministic across runs and languages. */
function mix(id: number, pos: number): number {
  let h = Math.imul(id ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(pos + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}
