import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { buildCorpus } from '../corpus/corpus.js';
import { classAt, classTable, LETTER, LOWER, NUMBER, SPACE, UPPER } from './code-point-classes.js';
import { CL100K_PATTERN, O200K_PATTERN, scannerFor } from './tiktoken-split.js';
import { withTiktokenWhitespace } from './whitespace.js';

// The hand-written split scanners against the regular expressions they replace: the same pieces
// on the corpus, on random mixes of the characters where the patterns' branches and
// backtracking differ, and on random code points, from any code point boundary.

const atoms = [
  'A', 'Z', 'Ω', 'Ǆ', 'ǅ', 'ʰ', 'ー', '中', 'ก', 'ا', '\u0301', '\u0903', '\u20dd', 'a', 'z', 'ß', 'é', 'e\u0301', 'ǆ',
  '0', '7', '٣', 'Ⅻ', '½', '𝟘', '𝐀', '𝐚', '𠀀', '😀', '👨‍👩‍👧', '🇫🇷',
  ' ', '  ', '\t', '\n', '\r', '\r\n', '\v', '\f', '\u0085', '\u00a0', '\u1680', '\u2000', '\u2028', '\u202f', '\u3000', '\ufeff', '\u200b',
  "'", '’', 's', 'S', 't', 'd', 'M', 'll', 'LL', 'lL', 've', 'VE', 're', 'rE', "'s", "'T", "'ll", "'Ve", "'rE", "'x",
  '.', ',', '/', '//', '-', '"', '<|', '|>', '\\', '$', '_', '\u0000', '\ud800', '\udc00', '\udbff\udfff',
];
const tricky = fc.array(fc.constantFrom(...atoms), { maxLength: 40, size: 'max' }).map((p) => p.join(''));
/** Code points from the scripts-dense BMP start, anywhere, and the surrogate range (lone halves, or pairs by chance). */
const codePoint = fc.oneof(fc.integer({ min: 0, max: 0x2fff }), fc.integer({ min: 0, max: 0x10ffff }), fc.integer({ min: 0xd800, max: 0xdfff }));
const anyCodePoints = fc.array(codePoint, { maxLength: 40, size: 'max' }).map((cps) => cps.map((cp) => String.fromCodePoint(cp)).join(''));

const CASES = [
  ['o200k_base', O200K_PATTERN],
  ['cl100k_base', CL100K_PATTERN],
] as const;

describe.each(CASES)('%s split scanner', (_name, pattern) => {
  const regex = withTiktokenWhitespace(new RegExp(pattern, 'gu'));
  const sticky = new RegExp(regex.source, 'uy');
  const scan = scannerFor(regex)!;

  /** The regex's match at pos (every position matches these patterns). */
  const regexEnd = (text: string, pos: number): number => {
    sticky.lastIndex = pos;
    expect(sticky.test(text)).toBe(true);
    return sticky.lastIndex;
  };
  const pieces = (text: string, end: (t: string, p: number) => number): string[] => {
    const out: string[] = [];
    for (let pos = 0; pos < text.length;) {
      const e = end(text, pos);
      out.push(text.slice(pos, e));
      pos = e;
    }
    return out;
  };

  it('is chosen for the pattern (with the g flag or without), and not for another one', () => {
    expect(scan).toBeDefined();
    expect(scannerFor(new RegExp(regex.source, 'u'))).toBe(scan);
    expect(scannerFor(new RegExp(pattern, 'gu'))).toBeUndefined();
    expect(scannerFor(new RegExp(regex.source, 'giu'))).toBeUndefined();
  });

  it('splits every corpus entry as the regex does', () => {
    for (const { text } of buildCorpus()) expect(pieces(text, scan)).toEqual(pieces(text, regexEnd));
  });

  it('splits random mixes of tricky characters as the regex does', () => {
    fc.assert(fc.property(tricky, (text) => {
      expect(pieces(text, scan)).toEqual(pieces(text, regexEnd));
    }), { seed: 42, numRuns: 3000 });
  });

  it('matches the regex at any code point boundary of random code points', () => {
    fc.assert(fc.property(fc.tuple(anyCodePoints, fc.nat()), ([text, at]) => {
      if (text.length === 0) return;
      let pos = at % text.length;
      if (pos > 0 && (text.charCodeAt(pos) & 0xfc00) === 0xdc00 && (text.charCodeAt(pos - 1) & 0xfc00) === 0xd800) pos--;
      expect([pos, scan(text, pos)]).toEqual([pos, regexEnd(text, pos)]);
    }), { seed: 7, numRuns: 3000 });
  });
});

describe('code point classes', () => {
  it('agree with the Unicode property escapes on random code points', () => {
    const t = classTable();
    const tests: [RegExp, number][] = [[/\p{L}/u, LETTER], [/\p{N}/u, NUMBER], [/[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]/u, UPPER], [/[\p{Ll}\p{Lm}\p{Lo}\p{M}]/u, LOWER]];
    fc.assert(fc.property(fc.integer({ min: 0, max: 0x10ffff }), (cp) => {
      const s = String.fromCodePoint(cp);
      for (const [re, bit] of tests) expect([cp, (classAt(t, cp) & bit) !== 0]).toEqual([cp, re.test(s)]);
    }), { seed: 3, numRuns: 5000 });
  });

  it('use tiktoken\'s white space: U+0085 is space, U+FEFF and U+200B are not', () => {
    const t = classTable();
    for (const cp of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]) expect([cp, classAt(t, cp) & SPACE]).toEqual([cp, SPACE]);
    for (const cp of [0xfeff, 0x200b, 0x180e, 0x41, 0x1f600]) expect([cp, classAt(t, cp) & SPACE]).toEqual([cp, 0]);
  });
});
