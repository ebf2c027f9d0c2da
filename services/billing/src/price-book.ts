import { MeshError, Code } from '@infermesh/errors';

/** Micro-units in one unit of currency, and tokens in one rate unit (per million tokens). */
export const MICROS_PER_UNIT = 1_000_000n;
export const TOKENS_PER_RATE_UNIT = 1_000_000n;

/**
 * One price of one model. Versions are immutable once stored: changing a price means adding an
 * entry with a new version and a later `effectiveFrom`, so a replay rates old usage at old prices.
 */
export interface PriceBookEntry {
  model: string;
  version: string;
  /** Usage accepted at or after this instant is rated with this entry (until a later one starts). */
  effectiveFrom: Date;
  /** ISO 4217 code; every entry of one price book uses the same currency. */
  currency: string;
  /** Uncached prompt tokens: micro-units of currency per million tokens. */
  inputMicrosPerMtok: bigint;
  /** Prompt tokens served from the KV cache: micro-units per million tokens. */
  cachedInputMicrosPerMtok: bigint;
  /** Completion tokens: micro-units per million tokens. */
  outputMicrosPerMtok: bigint;
}

/** Token counts of one request, as in `common.v1.Usage`. */
export interface TokenCounts {
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
}

const usd = (perMtok: string): bigint => {
  const [whole, frac = ''] = perMtok.split('.');
  return BigInt(whole!) * MICROS_PER_UNIT + BigInt(frac.padEnd(6, '0').slice(0, 6));
};

/**
 * The default price book (USD per million tokens: input / cached input / output):
 * llama-3.1-8b-instruct 0.10 / 0.025 / 0.30, qwen3-8b 0.12 / 0.03 / 0.36,
 * gpt-oss-20b 0.15 / 0.0375 / 0.60. Version "default-1", effective from the epoch.
 */
export function defaultPriceBook(): PriceBookEntry[] {
  const entry = (model: string, input: string, cached: string, output: string): PriceBookEntry => ({
    model,
    version: 'default-1',
    effectiveFrom: new Date(0),
    currency: 'USD',
    inputMicrosPerMtok: usd(input),
    cachedInputMicrosPerMtok: usd(cached),
    outputMicrosPerMtok: usd(output),
  });
  return [
    entry('llama-3.1-8b-instruct', '0.10', '0.025', '0.30'),
    entry('qwen3-8b', '0.12', '0.03', '0.36'),
    entry('gpt-oss-20b', '0.15', '0.0375', '0.60'),
  ];
}

/**
 * The amount of one line, in micro-units:
 *   round_half_up( ((prompt - cached) * input + cached * cachedInput + completion * output) / 1e6 )
 * Exact integer arithmetic; rounding happens once per line, on the sum, so splitting a request
 * into token classes never loses or gains a micro-unit. `cached` is clamped to `prompt`
 * (the Usage contract says it is a subset; a violating producer is not allowed to earn credit).
 */
export function amountMicros(usage: TokenCounts, price: PriceBookEntry): bigint {
  const prompt = BigInt(usage.promptTokens);
  const cached = BigInt(Math.min(usage.cachedPromptTokens, usage.promptTokens));
  const completion = BigInt(usage.completionTokens);
  const scaled = (prompt - cached) * price.inputMicrosPerMtok + cached * price.cachedInputMicrosPerMtok + completion * price.outputMicrosPerMtok;
  return (scaled + TOKENS_PER_RATE_UNIT / 2n) / TOKENS_PER_RATE_UNIT;
}

/** Fast lookup of the entry in force for a model at an instant. */
export class PriceBook {
  private readonly byModel = new Map<string, PriceBookEntry[]>();
  readonly currency: string;

  /** Validates: one currency, non-negative rates, unique (model, version) and (model, effectiveFrom). */
  constructor(readonly entries: readonly PriceBookEntry[], currency?: string) {
    this.currency = currency ?? entries[0]?.currency ?? 'USD';
    const seen = new Set<string>();
    for (const e of entries) {
      const bad = (why: string): MeshError => new MeshError(Code.InvalidArgument, `price book entry ${e.model}@${e.version}: ${why}`);
      if (e.currency !== this.currency) throw bad(`currency ${e.currency} differs from ${this.currency}`);
      if (e.inputMicrosPerMtok < 0n || e.cachedInputMicrosPerMtok < 0n || e.outputMicrosPerMtok < 0n) throw bad('negative rate');
      if (Number.isNaN(e.effectiveFrom.getTime())) throw bad('invalid effectiveFrom');
      for (const key of [`v:${e.model}:${e.version}`, `t:${e.model}:${e.effectiveFrom.getTime()}`]) {
        if (seen.has(key)) throw bad('duplicate version or effectiveFrom');
        seen.add(key);
      }
      const list = this.byModel.get(e.model) ?? [];
      list.push(e);
      this.byModel.set(e.model, list);
    }
    for (const list of this.byModel.values()) list.sort((a, b) => b.effectiveFrom.getTime() - a.effectiveFrom.getTime());
  }

  /** The entry in force for `model` at `atMicros` (epoch microseconds), or undefined if unpriced. */
  priceAt(model: string, atMicros: bigint): PriceBookEntry | undefined {
    return this.byModel.get(model)?.find((e) => BigInt(e.effectiveFrom.getTime()) * 1000n <= atMicros);
  }
}
