/** The parts of a Hugging Face tokenizer.json that the pure-JS encoders read. */
export interface HfTokenizerJson {
  normalizer?: { type: string; pattern?: { String?: string; Regex?: string }; content?: string } | null;
  pre_tokenizer?: unknown;
  model: {
    type?: string;
    vocab: Record<string, number>;
    merges: (string | [string, string])[];
    dropout?: number | null;
    unk_token?: string | null;
    continuing_subword_prefix?: string | null;
    end_of_word_suffix?: string | null;
    byte_fallback?: boolean;
    ignore_merges?: boolean;
  };
  added_tokens: { id: number; content: string; special: boolean; single_word?: boolean; lstrip?: boolean; rstrip?: boolean; normalized?: boolean }[];
}
