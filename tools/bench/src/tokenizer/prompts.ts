import { defaultCatalogue, seeded, toWellFormed, TokenizerRegistry, TokenizerService, type CorpusEntry } from '@infermesh/tokenizer';

/** One prompt of the end-to-end benchmark: the paragraphs it joins and its exact token count. */
export interface Prompt {
  /** Indexes into PromptPool.paragraphs, joined with '\n'. */
  readonly parts: readonly number[];
  /** Tokens of the joined text as Tokenize must answer (raw text: with the model's BOS, if any). */
  readonly tokens: number;
}

/** Distinct prompts of about `tokens` tokens each for one model. */
export interface PromptPool {
  readonly model: string;
  readonly paragraphs: readonly string[];
  readonly prompts: readonly Prompt[];
}

/** The text of a prompt (built when sent, so the pool holds indexes, not megabytes of text). */
export function promptText(pool: PromptPool, prompt: Prompt): string {
  return prompt.parts.map((i) => pool.paragraphs[i]!).join('\n');
}

/**
 * `count` distinct prompts, each of random corpus paragraphs (every line of every entry: prose in
 * 30 scripts, code, emoji, numbers, whitespace runs, special-token look-alikes, random Unicode,
 * the long documents), drawn with replacement until the token sum reaches `tokens`. Token counts
 * come from TokenizerService on a private TokenizerRegistry, so the caches of the service under
 * test stay cold.
 * Throws if two prompts are equal (then the seed space is too small for `count`).
 */
export async function buildPromptPool(model: string, corpus: readonly CorpusEntry[], tokens: number, count: number): Promise<PromptPool> {
  const paragraphs = [...new Set(corpus.flatMap((e) => toWellFormed(e.text).split('\n')).filter((p) => p.trim() !== ''))];
  const registry = new TokenizerRegistry({ models: defaultCatalogue().models.filter((m) => m.id === model) });
  const { backend } = await registry.get(model);
  const service = new TokenizerService(registry);
  const paraTokens = await backend.encodeTexts(paragraphs);
  const prompts: Prompt[] = [];
  const seen = new Set<string>();
  const rand = seeded(8192);
  while (prompts.length < count) {
    const parts: number[] = [];
    let sum = 0;
    while (sum < tokens) {
      const i = rand(paragraphs.length);
      parts.push(i);
      sum += paraTokens[i]!.length + 1;
    }
    const key = parts.join(',');
    if (seen.has(key)) throw new Error(`${model}: prompt ${prompts.length} repeats an earlier one`);
    seen.add(key);
    const pool = { model, paragraphs, prompts };
    const { tokenIds } = await service.tokenize({ model, input: { text: promptText(pool, { parts, tokens: 0 }) } });
    prompts.push({ parts, tokens: tokenIds.length });
  }
  return { model, paragraphs, prompts };
}

/** Mean, min and max prompt tokens of a pool. */
export function tokenStats(prompts: readonly Prompt[]): { mean: number; min: number; max: number } {
  const t = prompts.map((p) => p.tokens);
  return { mean: t.reduce((a, b) => a + b, 0) / t.length, min: Math.min(...t), max: Math.max(...t) };
}
