/** The decode function of a backend: ids to text, incomplete UTF-8 replaced by U+FFFD. */
export type DecodeFn = (ids: readonly number[], skipSpecialTokens: boolean) => string;

const REPLACEMENT = '\uFFFD';
const MAX_HELD_TOKENS = 3;

/**
 * Turns a stream of token ids into text deltas (vLLM's prefix/read-offset scheme).
 *
 * Contract: every delta is whole characters, and the concatenation of all `push` results and the
 * final `flush` equals `decode(allIds)`. The detokenizer decodes a short window
 * `ids[prefixOffset:]` and emits what it adds beyond `decode(ids[prefixOffset:readOffset])`;
 * decoding with a little left context keeps decoders that treat a sequence's first token
 * specially (leading-space stripping, byte fallback) correct. While the window's text ends in
 * U+FFFD, the last token(s) may be an incomplete UTF-8 sequence and the text is held back.
 * When a push brings several ids, the text up to the last complete character is still emitted
 * (windows shorter by up to 3 tokens are tried). A genuine U+FFFD at the end of the output is
 * held like an incomplete character, until more text arrives or flush.
 *
 * Cost per push: two decodes (up to five while a character is incomplete) of a window that
 * spans only the tokens since the previous emission, so long streams stay O(1) per token.
 */
export class IncrementalDetokenizer {
  private readonly ids: number[] = [];
  private prefixOffset = 0;
  private readOffset = 0;
  private flushed = false;

  constructor(
    private readonly decode: DecodeFn,
    private readonly skipSpecialTokens = false,
  ) {}

  /** Ids consumed so far. */
  get tokenCount(): number {
    return this.ids.length;
  }

  /** Adds ids; returns the newly completed text ('' when everything is held back). */
  push(ids: Iterable<number>): string {
    if (this.flushed) throw new Error('detokenizer already flushed');
    for (const id of ids) this.ids.push(id);
    if (this.ids.length === this.readOffset) return '';
    const prefixText = this.decode(this.ids.slice(this.prefixOffset, this.readOffset), this.skipSpecialTokens);
    // An incomplete UTF-8 sequence spans at most 3 bytes, so at most the last 3 tokens: when the
    // whole window ends in U+FFFD, a window shorter by 1..3 tokens may still complete characters.
    const minEnd = Math.max(this.readOffset + 1, this.ids.length - MAX_HELD_TOKENS);
    for (let end = this.ids.length; end >= minEnd; end--) {
      const newText = this.decode(this.ids.slice(this.prefixOffset, end), this.skipSpecialTokens);
      if (newText.length > prefixText.length && !newText.endsWith(REPLACEMENT)) {
        this.prefixOffset = this.readOffset;
        this.readOffset = end;
        return newText.slice(prefixText.length);
      }
      if (!newText.endsWith(REPLACEMENT)) return '';
    }
    return '';
  }

  /** Ends the stream: returns everything still held back (possibly ending in U+FFFD). */
  flush(): string {
    if (this.flushed) return '';
    this.flushed = true;
    if (this.ids.length === this.readOffset) return '';
    const prefixText = this.decode(this.ids.slice(this.prefixOffset, this.readOffset), this.skipSpecialTokens);
    const rest = this.decode(this.ids.slice(this.prefixOffset), this.skipSpecialTokens);
    return rest.slice(prefixText.length);
  }
}
