import type { Segment } from '../backend.js';

const OPEN = '\uE000';
const CLOSE = '\uE001';
const MARKER = /\uE000(\d+)\uE001/g;

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Finds a model's special-token strings in rendered prompt text, and shields user text from that
 * search. Before rendering, `shield` replaces every special-token string in user content (and the
 * marker character itself) by a private-use marker; after rendering, `split` cuts the output at the
 * special tokens the *template* wrote and `unshield` restores the user's strings inside the text
 * segments, which the backend then encodes as ordinary text. Matching is leftmost-longest, as the
 * Hugging Face added-vocabulary matcher does for tokens without lstrip/rstrip.
 */
export class SpecialSplitter {
  private readonly tokens: string[];
  private readonly index: Map<string, number>;
  private readonly find: RegExp;
  private readonly shieldPattern: RegExp;

  constructor(specials: Iterable<string>) {
    this.tokens = [...specials].sort((a, b) => b.length - a.length);
    this.index = new Map(this.tokens.map((t, i) => [t, i]));
    const alternation = this.tokens.map(escapeRegex).join('|');
    this.find = new RegExp(alternation === '' ? '(?!)' : alternation, 'g');
    this.shieldPattern = new RegExp(alternation === '' ? OPEN : `${alternation}|${OPEN}`, 'g');
  }

  /** User text with every special-token string (and U+E000) replaced by a marker. */
  shield(text: string): string {
    return text.replace(this.shieldPattern, (m) => `${OPEN}${this.index.get(m) ?? this.tokens.length}${CLOSE}`);
  }

  /** Inverse of shield. */
  unshield(text: string): string {
    if (!text.includes(OPEN)) return text;
    return text.replace(MARKER, (_m, i: string) => this.tokens[Number(i)] ?? OPEN);
  }

  /** Rendered prompt to segments: special tokens the template wrote, and unshielded text between them. */
  split(rendered: string): Segment[] {
    const out: Segment[] = [];
    let last = 0;
    for (const m of rendered.matchAll(this.find)) {
      if (m.index > last) out.push({ kind: 'text', text: this.unshield(rendered.slice(last, m.index)) });
      out.push({ kind: 'special', token: m[0] });
      last = m.index + m[0].length;
    }
    if (last < rendered.length) out.push({ kind: 'text', text: this.unshield(rendered.slice(last)) });
    return out;
  }
}
