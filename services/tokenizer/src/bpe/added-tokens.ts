/**
 * Finds a tokenizer's added tokens in raw text as Hugging Face `tokenizers` does for added tokens
 * with `normalized: false` and no strip/word options: leftmost match, longest at that position.
 * Candidates are indexed by first UTF-16 unit and by length, so a position costs one table read
 * unless a token can start there (then one Map lookup per distinct candidate length).
 */
export class AddedTokenMatcher {
  private readonly ids = new Map<string, number>();
  /** Per first code unit: the distinct lengths of tokens starting with it, longest first. */
  private readonly lengths = new Map<number, number[]>();
  private readonly starts = new Uint8Array(65536);

  constructor(tokens: readonly { content: string; id: number }[]) {
    for (const t of tokens) {
      if (t.content === '' || this.ids.has(t.content)) continue;
      this.ids.set(t.content, t.id);
      const c = t.content.charCodeAt(0);
      this.starts[c] = 1;
      const ls = this.lengths.get(c) ?? [];
      if (!ls.includes(t.content.length)) ls.push(t.content.length);
      this.lengths.set(c, ls);
    }
    for (const ls of this.lengths.values()) ls.sort((a, b) => b - a);
  }

  get size(): number {
    return this.ids.size;
  }

  /**
   * Splits `text` at added tokens: `onText(from, to)` for each stretch of ordinary text (never
   * empty), `onToken(id)` for each token, in order.
   */
  split(text: string, onText: (from: number, to: number) => void, onToken: (id: number) => void): void {
    let from = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      if (this.starts[text.charCodeAt(i)] === 0) continue;
      for (const len of this.lengths.get(text.charCodeAt(i))!) {
        if (i + len > n) continue;
        const id = this.ids.get(text.slice(i, i + len));
        if (id === undefined) continue;
        if (i > from) onText(from, i);
        onToken(id);
        from = i + len;
        i = from - 1;
        break;
      }
    }
    if (from < n) onText(from, n);
  }
}
