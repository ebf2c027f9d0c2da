import { tokenizer } from '@infermesh/proto';
import { createClient } from '@infermesh/rpc';
import { defaultCatalogue, defaultTokenizerOptions, startTokenizer, type HfEncoder } from '@infermesh/tokenizer';
import type { Logger } from '@infermesh/telemetry';
import { promptText, type Prompt, type PromptPool } from './prompts.js';
import { microsHistogram, summarize, type Summary } from './stats.js';

/** 'distinct': every request sends a prompt never sent before; 'repeated': one prompt over and over. */
export type PromptMode = 'distinct' | 'repeated';

/** One service configuration under load. */
export interface E2eVariant {
  readonly label: string;
  readonly hfEncoder: HfEncoder;
  /** TokenizerOptions.pieceCacheSize (0: caches off). */
  readonly pieceCacheSize: number;
  /** Run in this order on one server: 'distinct' first, so its prompts meet caches that have seen only the warmup. */
  readonly modes: readonly PromptMode[];
}

/** One (model, variant, mode, concurrency) cell. */
export interface E2eResult {
  readonly model: string;
  readonly variant: string;
  readonly mode: PromptMode;
  readonly concurrency: number;
  readonly requests: number;
  /** Sum of the prompt tokens of all requests. */
  readonly tokens: number;
  readonly seconds: number;
  /** Request latency percentiles, µs. */
  readonly latency: Summary;
}

/** Prompts sent before the first cell (taken from the pool, so never sent again). */
const WARMUP = 8;

/**
 * Closed-loop load over real gRPC: a tokenizer service serving only `pool.model`, started in this
 * process on port 0 with the variant's encoder and cache, one @infermesh/rpc client,
 * `concurrency` callers each sending the next Tokenize as soon as the last returns. A distinct
 * cell ends after `seconds` or when its share of the pool is used, whichever comes first (no
 * prompt is sent twice to one server); a repeated cell sends `pool.prompts[0]` for `seconds`.
 * Every response's length is checked against the prompt's count (a wrong answer fails the run).
 */
export async function runE2e(opts: { pool: PromptPool; variant: E2eVariant; concurrency: readonly number[]; seconds: number; logger: Logger }): Promise<E2eResult[]> {
  const { pool, variant } = opts;
  const model = pool.model;
  const catalogue = { models: defaultCatalogue().models.filter((m) => m.id === model) };
  const svc = await startTokenizer({ ...defaultTokenizerOptions(), port: 0, catalogue, hfEncoder: variant.hfEncoder, pieceCacheSize: variant.pieceCacheSize }, { logger: opts.logger });
  const client = createClient(tokenizer.Tokenizer, svc.address, { name: 'tokenizer', timeoutMs: 120_000 });
  const send = async (prompt: Prompt): Promise<void> => {
    const res = await client.tokenize({ model, input: { case: 'text', value: promptText(pool, prompt) } });
    if (res.tokenIds.length !== prompt.tokens) throw new Error(`${model}: got ${res.tokenIds.length} tokens, want ${prompt.tokens}`);
  };
  const out: E2eResult[] = [];
  let next = 0;
  try {
    await Promise.all(pool.prompts.slice(0, WARMUP).map(send));
    next = WARMUP;
    const share = Math.floor((pool.prompts.length - WARMUP) / opts.concurrency.length);
    for (const mode of variant.modes) {
      for (const c of opts.concurrency) {
        const repeated = pool.prompts[0]!;
        if (mode === 'repeated') await Promise.all(Array.from({ length: Math.min(c, 8) }, () => send(repeated)));
        const last = next + share;
        let tokens = 0;
        const hist = microsHistogram();
        const started = performance.now();
        const end = started + opts.seconds * 1000;
        const worker = async (): Promise<void> => {
          while (performance.now() < end) {
            let prompt = repeated;
            if (mode === 'distinct') {
              if (next >= last) return;
              prompt = pool.prompts[next++]!;
            }
            const t0 = performance.now();
            await send(prompt);
            hist.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
            tokens += prompt.tokens;
          }
        };
        await Promise.all(Array.from({ length: c }, worker));
        const seconds = (performance.now() - started) / 1000;
        if (mode === 'distinct') next = last;
        out.push({ model, variant: variant.label, mode, concurrency: c, requests: hist.totalCount, tokens, seconds, latency: summarize(hist) });
        hist.destroy();
      }
    }
  } finally {
    client.close();
    await svc.stop(1000);
  }
  return out;
}
