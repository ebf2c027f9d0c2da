import { invalidArgument } from '@infermesh/errors';

/** Limits on stop strings: enough for every OpenAI-style client, small enough to keep holding cheap. */
export const MAX_STOPS = 16;
export const MAX_STOP_LENGTH = 256;

/** What the matcher lets out of one piece of text. */
export interface StopStep {
  /** Text that can no longer be part of a stop, safe to emit. */
  text: string;
  /** The stop that matched, when one did; the stream must end (nothing after it is ever emitted). */
  matched?: string;
}

/**
 * Finds stop strings in streamed text, across any split into pieces. It holds back the longest
 * tail of the text that is still the start of some stop, and emits everything before it; when a
 * stop completes, it emits the text before the stop and reports the match. The match reported is
 * the one that completes first in the text (of those ending at the same place, the longest), as
 * a per-token check in an engine finds it; the result does not depend on how the text is split.
 * Held text is at most the longest stop minus one character; after a match, every later call throws.
 */
export class StopMatcher {
  private held = '';
  private done = false;
  private readonly stops: string[];
  private readonly maxHeld: number;

  /** INVALID_ARGUMENT for more than MAX_STOPS stops or one that is empty or longer than MAX_STOP_LENGTH. */
  constructor(stops: readonly string[]) {
    if (stops.length > MAX_STOPS) throw invalidArgument(`at most ${MAX_STOPS} stop strings, got ${stops.length}`, 'stop');
    for (const s of stops) {
      if (s.length === 0 || s.length > MAX_STOP_LENGTH) throw invalidArgument(`a stop string must be 1..${MAX_STOP_LENGTH} characters`, 'stop');
    }
    this.stops = [...new Set(stops)].sort((a, b) => b.length - a.length);
    this.maxHeld = this.stops.length === 0 ? 0 : this.stops[0]!.length - 1;
  }

  get active(): boolean {
    return this.stops.length > 0;
  }

  /** Adds the next piece of text. */
  push(piece: string): StopStep {
    if (this.done) throw new Error('stop already matched');
    if (this.stops.length === 0) return { text: piece };
    const text = this.held + piece;
    let at = -1;
    let end = Infinity;
    let matched: string | undefined;
    for (const stop of this.stops) {
      const i = text.indexOf(stop);
      if (i >= 0 && i + stop.length < end) {
        at = i;
        end = i + stop.length;
        matched = stop;
      }
    }
    if (matched !== undefined) {
      this.done = true;
      this.held = '';
      return { text: text.slice(0, at), matched };
    }
    const keep = this.partialTail(text);
    this.held = text.slice(text.length - keep);
    return { text: text.slice(0, text.length - keep) };
  }

  /** Ends the text: whatever was held could not become a stop, so it is released. */
  flush(): string {
    if (this.done) return '';
    this.done = true;
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Length of the longest proper suffix of `text` that is a prefix of some stop. */
  private partialTail(text: string): number {
    for (let k = Math.min(this.maxHeld, text.length); k > 0; k--) {
      const tail = text.slice(text.length - k);
      if (this.stops.some((s) => s.length > k && s.startsWith(tail))) return k;
    }
    return 0;
  }
}
