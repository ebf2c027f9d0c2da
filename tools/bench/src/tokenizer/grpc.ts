import { tokenizer } from '@infermesh/proto';
import { createClient, type Client } from '@infermesh/rpc';
import { defaultTokenizerOptions, startTokenizer, type CorpusEntry, type HfEncoder } from '@infermesh/tokenizer';
import type { Logger } from '@infermesh/telemetry';
import { microsHistogram, summarize, type Summary } from './stats.js';

/** One (model, concurrency) cell of the end-to-end run. */
export interface E2eResult {
  readonly model: string;
  /** The service's Hugging Face encoder in this run. */
  readonly hfEncoder: HfEncoder;
  readonly concurrency: number;
  readonly promptTokens: number;
  readonly requests: number;
  readonly seconds: number;
  /** Request latency percentiles, µs. */
  readonly latency: Summary;
}

type TokenizerClient = Client<typeof tokenizer.Tokenizer>;

/**
 * A prompt of exactly `tokens` tokens of the model (checked by tokenizing it again): mixed
 * prose, code, emoji and numbers from the corpus, cut at a token boundary with Detokenize.
 */
async function promptOf(client: TokenizerClient, model: string, corpus: readonly CorpusEntry[], tokens: number): Promise<{ text: string; tokens: number }> {
  const pool = corpus.filter((e) => ['prose', 'code', 'emoji', 'numbers'].includes(e.kind)).map((e) => e.text);
  let text = '';
  for (let i = 0; text.length < tokens * 8; i++) text += pool[i % pool.length]! + '\n';
  const { tokenIds } = await client.tokenize({ model, input: { case: 'text', value: text } });
  const cut = (await client.detokenize({ model, tokenIds: tokenIds.slice(0, tokens) })).text;
  const again = await client.tokenize({ model, input: { case: 'text', value: cut } });
  return { text: cut, tokens: again.tokenIds.length };
}

/**
 * Closed-loop load over real gRPC: the tokenizer service started in this process on port 0,
 * one @infermesh/rpc client, `concurrency` callers each sending the next Tokenize as soon as
 * the last returns, for `seconds` after a short warmup. Every response is checked for the
 * prompt's token count (a wrong answer fails the run).
 */
export async function runE2e(opts: { models: string[]; hfEncoder: HfEncoder; concurrency: number[]; seconds: number; tokens: number; corpus: readonly CorpusEntry[]; logger: Logger }): Promise<E2eResult[]> {
  const svc = await startTokenizer({ ...defaultTokenizerOptions(), port: 0, hfEncoder: opts.hfEncoder }, { logger: opts.logger });
  const client = createClient(tokenizer.Tokenizer, svc.address, { name: 'tokenizer', timeoutMs: 120_000 });
  const out: E2eResult[] = [];
  try {
    for (const model of opts.models) {
      const prompt = await promptOf(client, model, opts.corpus, opts.tokens);
      const call = async (): Promise<void> => {
        const res = await client.tokenize({ model, input: { case: 'text', value: prompt.text } });
        if (res.tokenIds.length !== prompt.tokens) throw new Error(`${model}: got ${res.tokenIds.length} tokens, want ${prompt.tokens}`);
      };
      for (const c of opts.concurrency) {
        await Promise.all(Array.from({ length: Math.min(c, 8) }, call));
        const hist = microsHistogram();
        const started = performance.now();
        const end = started + opts.seconds * 1000;
        const worker = async (): Promise<void> => {
          while (performance.now() < end) {
            const t0 = performance.now();
            await call();
            hist.recordValue(Math.max(1, Math.round((performance.now() - t0) * 1000)));
          }
        };
        await Promise.all(Array.from({ length: c }, worker));
        const seconds = (performance.now() - started) / 1000;
        out.push({ model, hfEncoder: opts.hfEncoder, concurrency: c, promptTokens: prompt.tokens, requests: hist.totalCount, seconds, latency: summarize(hist) });
        hist.destroy();
      }
    }
  } finally {
    client.close();
    await svc.stop(1000);
  }
  return out;
}
