import { unavailable } from '@infermesh/errors';
import type { RequestScope, TokenizerClient } from './ports.js';

/**
 * Incremental detokenization through the tokenizer's DetokenizeStream: one request message per
 * batch of token ids, one response with the text those ids completed. At most one batch is in
 * flight, so the input queue never holds more than one message.
 */
export class StreamingDetokenizer {
  private readonly pending: Array<{ model?: string; tokenIds: number[] }> = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private first = true;
  private readonly responses: AsyncIterator<{ text: string }>;

  constructor(client: TokenizerClient, private readonly model: string, scope: RequestScope, signal: AbortSignal) {
    this.responses = client.detokenizeStream(this.input(), { parent: scope, signal })[Symbol.asyncIterator]();
  }

  private async *input(): AsyncGenerator<{ model?: string; tokenIds: number[] }> {
    for (;;) {
      const next = this.pending.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** The text completed by these ids ('' while a character is still incomplete). */
  async push(tokenIds: number[]): Promise<string> {
    // The tokenizer answers a message only when it carries ids.
    if (tokenIds.length === 0) return '';
    this.pending.push(this.first ? { model: this.model, tokenIds } : { tokenIds });
    this.first = false;
    this.wake?.();
    const res = await this.responses.next();
    if (res.done === true) throw unavailable('tokenizer closed the detokenization stream early');
    return res.value.text;
  }

  /** Closes the stream and returns whatever the tokenizer flushes (held-back bytes). */
  async finish(): Promise<string> {
    this.closed = true;
    this.wake?.();
    let tail = '';
    if (this.first) return tail;
    for (;;) {
      const res = await this.responses.next();
      if (res.done === true) return tail;
      tail += res.value.text;
    }
  }

  /** Abandons the stream (on failure paths). */
  abandon(): void {
    this.closed = true;
    this.wake?.();
    void this.responses.return?.(undefined);
  }
}
