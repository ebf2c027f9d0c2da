import { unavailable } from '@infermesh/errors';
import type { RequestScope, TokenizerClient } from './ports.js';

/**
 * Incremental detokenization through the tokenizer's DetokenizeStream: one request message per
 * batch of token ids, one response with the text those ids completed. At most one batch is in
 * flight, so the input queue never holds more than one message.
 */
export class StreamingDetokenizer {
  private readonly pending: Array<{ model?: string; tokenIds: number[]; stop?: string[] }> = [];
  private wake: (() => void) | undefined;
  private closed = false;
  private first = true;
  private readonly responses: AsyncIterator<{ text: string; stopped: boolean; tokenCount: number }>;
  /** Set once a stop string matched: the ids consumed up to and including the one completing it. */
  stoppedAt: number | undefined;

  constructor(
    client: TokenizerClient,
    private readonly model: string,
    scope: RequestScope,
    signal: AbortSignal,
    private readonly stop: string[] = [],
  ) {
    this.responses = client.detokenizeStream(this.input(), { parent: scope, signal })[Symbol.asyncIterator]();
  }

  private async *input(): AsyncGenerator<{ model?: string; tokenIds: number[]; stop?: string[] }> {
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
    if (this.stoppedAt !== undefined) return '';
    this.pending.push(this.first ? { model: this.model, tokenIds, stop: this.stop } : { tokenIds });
    this.first = false;
    this.wake?.();
    const res = await this.responses.next();
    if (res.done === true) throw unavailable('tokenizer closed the detokenization stream early');
    if (res.value.stopped) this.stoppedAt = res.value.tokenCount;
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
