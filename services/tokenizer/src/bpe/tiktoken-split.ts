import { classAt, classTable, LETTER, LOWER, NUMBER, SPACE, UPPER } from './code-point-classes.js';
import { withTiktokenWhitespace } from './whitespace.js';

/**
 * A pre-tokenizer written by hand: the end (exclusive, > pos) of the piece the split pattern
 * matches at `pos` of `text` (pos < text.length). Both patterns below match at every position.
 */
export type SplitScanner = (text: string, pos: number) => number;

/** o200k_base's pattern as gpt-tokenizer ships it (tiktoken's, with `(?i:'s|...)` spelled as classes). */
export const O200K_PATTERN = String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`;
/** cl100k_base's pattern as gpt-tokenizer ships it. */
export const CL100K_PATTERN = String.raw`'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s+$|\s*[\r\n]|\s+(?!\S)|\s`;

const KNOWN: readonly [string, SplitScanner][] = [
  [withTiktokenWhitespace(new RegExp(O200K_PATTERN, 'u')).source, scanO200k],
  [withTiktokenWhitespace(new RegExp(CL100K_PATTERN, 'u')).source, scanCl100k],
];

/**
 * The scanner giving exactly the splits of `pattern`, when it is one of the OpenAI patterns above
 * with tiktoken's whitespace (withTiktokenWhitespace) and the flags `u` or `gu`; else undefined
 * (the caller runs the regex). `split-scanner.unit.spec.ts` checks the scanners against the regex.
 */
export function scannerFor(pattern: RegExp): SplitScanner | undefined {
  if (pattern.flags !== 'u' && pattern.flags !== 'gu') return undefined;
  const hit = KNOWN.find(([source]) => source === pattern.source);
  if (hit === undefined) return undefined;
  classTable();
  return hit[1];
}

/** The code point at i (a lone surrogate stands for itself, as with the `u` flag). */
function cpAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if ((c & 0xfc00) !== 0xd800 || i + 1 >= text.length) return c;
  const d = text.charCodeAt(i + 1);
  return (d & 0xfc00) === 0xdc00 ? 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00) : c;
}

/** `'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])?` at e: its end (e when absent). */
function contraction(text: string, e: number): number {
  if (e + 1 >= text.length || text.charCodeAt(e) !== 0x27) return e;
  const a = text.charCodeAt(e + 1) | 0x20;
  if (a === 0x73 || a === 0x64 || a === 0x6d || a === 0x74) return e + 2;
  if (e + 2 >= text.length) return e;
  const b = text.charCodeAt(e + 2) | 0x20;
  return (a === 0x6c && b === 0x6c) || ((a === 0x76 || a === 0x72) && b === 0x65) ? e + 3 : e;
}

/** The end of the run from i of code points with any of `bits`. */
function runOf(t: Uint8Array, text: string, i: number, bits: number): number {
  const len = text.length;
  while (i < len) {
    const c = cpAt(text, i);
    if ((classAt(t, c) & bits) === 0) break;
    i += c > 0xffff ? 2 : 1;
  }
  return i;
}

/** `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+` + contraction from s, with the regex's backtracking; -1 if no match. */
function upperStarLowerPlus(t: Uint8Array, text: string, s: number): number {
  const len = text.length;
  let i = s;
  let lastLower = -1;
  while (i < len) {
    const c = cpAt(text, i);
    const k = classAt(t, c);
    if ((k & UPPER) === 0) {
      if ((k & LOWER) !== 0) return contraction(text, runOf(t, text, i, LOWER));
      break;
    }
    i += c > 0xffff ? 2 : 1;
    if ((k & LOWER) !== 0) lastLower = i;
  }
  // The upper run gives back code points until its last "lower" one can be the lower run.
  return lastLower < 0 ? -1 : contraction(text, lastLower);
}

/** `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*` + contraction from s; -1 if no match. */
function upperPlusLowerStar(t: Uint8Array, text: string, s: number): number {
  if (s >= text.length || (classAt(t, cpAt(text, s)) & UPPER) === 0) return -1;
  return contraction(text, runOf(t, text, runOf(t, text, s, UPPER), LOWER));
}

/** `\p{N}{1,3}` at pos (a number there). */
function digits(t: Uint8Array, text: string, pos: number): number {
  let i = pos;
  for (let count = 0; count < 3 && i < text.length; count++) {
    const c = cpAt(text, i);
    if ((classAt(t, c) & NUMBER) === 0) break;
    i += c > 0xffff ? 2 : 1;
  }
  return i;
}

/** ` ?[^\s\p{L}\p{N}]+` then a run of `tail` chars (\r, \n, and / when slash); -1 if no match. */
function punctuation(t: Uint8Array, text: string, pos: number, c0: number, slash: boolean): number {
  const s = c0 === 0x20 ? pos + 1 : pos;
  if (s >= text.length || (classAt(t, cpAt(text, s)) & (SPACE | LETTER | NUMBER)) !== 0) return -1;
  let e = s;
  const len = text.length;
  while (e < len) {
    const c = cpAt(text, e);
    if ((classAt(t, c) & (SPACE | LETTER | NUMBER)) !== 0) break;
    e += c > 0xffff ? 2 : 1;
  }
  for (; e < len; e++) {
    const c = text.charCodeAt(e);
    if (c !== 0x0a && c !== 0x0d && (!slash || c !== 0x2f)) break;
  }
  return e;
}

/** Set by spaceRun: the index of the run's last \r or \n, -1 if none. */
let lastBreak = -1;

/** The end of the white-space run at pos (sets lastBreak). */
function spaceRun(t: Uint8Array, text: string, pos: number): number {
  const len = text.length;
  let w = pos;
  lastBreak = -1;
  while (w < len) {
    const c = text.charCodeAt(w);
    if (c === 0x0a || c === 0x0d) lastBreak = w;
    else if ((classAt(t, c) & SPACE) === 0) break;
    w++;
  }
  return w;
}

/**
 * o200k_base: `X?U*L+C? | X?U+L*C? | N{1,3} | ' ?P+[\r\n/]*' | \s*[\r\n]+ | \s+(?!\S) | \s+`,
 * tried in that order as the regex does (X = not \r \n letter number; U, L = the upper and
 * lower classes, which share Lm, Lo and marks; P = not space letter number).
 */
export function scanO200k(text: string, pos: number): number {
  const t = classTable();
  const c0 = cpAt(text, pos);
  const k0 = classAt(t, c0);
  const w0 = c0 > 0xffff ? 2 : 1;
  const x0 = (k0 & (LETTER | NUMBER)) === 0 && c0 !== 0x0a && c0 !== 0x0d;
  let e: number;
  if (x0 && (e = upperStarLowerPlus(t, text, pos + w0)) >= 0) return e;
  if ((k0 & (UPPER | LOWER)) !== 0 && (e = upperStarLowerPlus(t, text, pos)) >= 0) return e;
  if (x0 && (e = upperPlusLowerStar(t, text, pos + w0)) >= 0) return e;
  if ((k0 & UPPER) !== 0) return upperPlusLowerStar(t, text, pos);
  if ((k0 & NUMBER) !== 0) return digits(t, text, pos);
  if ((e = punctuation(t, text, pos, c0, true)) >= 0) return e;
  const w = spaceRun(t, text, pos);
  if (lastBreak >= 0) return lastBreak + 1;
  return w === text.length || w - pos === 1 ? w : w - 1;
}

/**
 * cl100k_base: `'C | X?\p{L}+ | N{1,3} | ' ?P+[\r\n]*' | \s+$ | \s*[\r\n] | \s+(?!\S) | \s`.
 */
export function scanCl100k(text: string, pos: number): number {
  const t = classTable();
  const c0 = cpAt(text, pos);
  const k0 = classAt(t, c0);
  const w0 = c0 > 0xffff ? 2 : 1;
  let e: number;
  if (c0 === 0x27 && (e = contraction(text, pos)) > pos) return e;
  const x0 = (k0 & (LETTER | NUMBER)) === 0 && c0 !== 0x0a && c0 !== 0x0d;
  if (x0 && pos + w0 < text.length && (classAt(t, cpAt(text, pos + w0)) & LETTER) !== 0) return runOf(t, text, pos + w0, LETTER);
  if ((k0 & LETTER) !== 0) return runOf(t, text, pos, LETTER);
  if ((k0 & NUMBER) !== 0) return digits(t, text, pos);
  if ((e = punctuation(t, text, pos, c0, false)) >= 0) return e;
  const w = spaceRun(t, text, pos);
  if (w === text.length) return w;
  if (lastBreak >= 0) return lastBreak + 1;
  return w - pos > 1 ? w - 1 : pos + 1;
}
