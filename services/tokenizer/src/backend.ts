/**
 * A piece of a prompt: ordinary text, encoded with no special-token recognition, or one special
 * token named by its exact string. Chat formatters produce segments so that text written by a
 * user can never turn into a control token.
 */
export type Segment = { kind: 'text'; text: string } | { kind: 'special'; token: string };

/**
 * A loaded tokenizer. Implementations: one file per backend under backends/. Loading is the
 * registry's job; a backend instance is immutable and shared by all requests.
 */
export interface TokenizerBackend {
  /** Number of ids the backend can decode: every valid id is in [0, vocabSize). */
  readonly vocabSize: number;
  /** Special tokens by exact string (control tokens; excludes ordinary added tokens such as Qwen's `<think>`). */
  readonly specialTokens: ReadonlyMap<string, number>;
  /**
   * Encodes each text on its own, adding no BOS/EOS and treating special-token-looking strings as
   * plain text. One result per input, in order.
   */
  encodeTexts(texts: readonly string[]): Promise<number[][]>;
  /**
   * Ids to text: the bytes of all tokens decoded as UTF-8, invalid or incomplete sequences
   * replaced by U+FFFD (never throws for ids below vocabSize). Special tokens decode to their
   * string unless skipSpecialTokens.
   */
  decode(ids: readonly number[], skipSpecialTokens: boolean): string;
}

/**
 * Encodes segments with one batched backend call; special segments map to their ids.
 * Lone UTF-16 surrogates are replaced by U+FFFD first, as tiktoken does and as the protobuf
 * wire does (a string field is UTF-8, which cannot hold them), so every backend sees
 * well-formed text and gives the same ids whether text arrives in-process or over gRPC.
 */
export async function encodeSegments(backend: TokenizerBackend, segments: readonly Segment[]): Promise<number[]> {
  const texts: string[] = [];
  for (const s of segments) if (s.kind === 'text' && s.text !== '') texts.push(toWellFormed(s.text));
  const encoded = texts.length === 0 ? [] : await backend.encodeTexts(texts);
  const out: number[] = [];
  let next = 0;
  for (const s of segments) {
    if (s.kind === 'special') {
      const id = backend.specialTokens.get(s.token);
      if (id === undefined) throw new Error(`special token ${s.token} is not in the vocabulary`);
      out.push(id);
    } else if (s.text !== '') {
      for (const id of encoded[next++]!) out.push(id);
    }
  }
  return out;
}

/** The string with every lone surrogate replaced by U+FFFD (String.prototype.toWellFormed, ES2024). */
export function toWellFormed(text: string): string {
  return (text as unknown as { toWellFormed(): string }).toWellFormed();
}
