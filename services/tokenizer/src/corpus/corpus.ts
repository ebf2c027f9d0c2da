import { PROSE, CODE, EMOJI, SPECIAL_LIKE } from './samples.js';

/** One corpus text with the reason it is there. */
export interface CorpusEntry {
  /** Category: prose, code, emoji, whitespace, numbers, special-like, surrogates, random, long. */
  kind: string;
  text: string;
}

/**
 * A deterministic pseudo-random generator (mulberry32): the corpus must be the same on every
 * machine and run, so that a parity failure names a reproducible entry index.
 */
export function seeded(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296 * n) | 0;
  };
}

/** Code point ranges the random entries draw from: scripts, combining marks, astral planes, controls. */
const RANGES: [number, number][] = [
  [0x20, 0x7e], [0xa0, 0x24f], [0x300, 0x36f], [0x370, 0x3ff], [0x400, 0x4ff], [0x590, 0x5ff], [0x600, 0x6ff],
  [0x900, 0x97f], [0x980, 0x9ff], [0xb80, 0xbff], [0xe00, 0xe7f], [0x10a0, 0x10ff], [0x1100, 0x11ff], [0x1780, 0x17ff],
  [0x2000, 0x206f], [0x2190, 0x22ff], [0x3040, 0x30ff], [0x4e00, 0x9fff], [0xac00, 0xd7a3], [0xfe00, 0xfe0f],
  [0xff00, 0xffef], [0x1f300, 0x1faff], [0x1d400, 0x1d7ff], [0x20000, 0x2a6df], [0x0, 0x1f], [0xe000, 0xe0ff],
];

function randomText(rand: (n: number) => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const r = rand(10);
    if (r < 2) out += ' ';
    else if (r < 3) out += ['\n', '\t', '  ', '\r\n', '\u00a0', '\u3000'][rand(6)]!;
    else {
      const [lo, hi] = RANGES[rand(RANGES.length)]!;
      out += String.fromCodePoint(lo + rand(hi - lo + 1));
    }
  }
  return out;
}

function whitespace(): string[] {
  const out: string[] = [];
  for (const n of [1, 2, 3, 7, 16, 33, 64, 200, 1000]) out.push(' '.repeat(n), `a${' '.repeat(n)}b`, `x\n${' '.repeat(n)}y`);
  out.push('\t'.repeat(40), '\n'.repeat(50), '\r\n'.repeat(20), ' \t \n'.repeat(30), 'end   ', '   start', '\u00a0\u00a0\u2003\u3000x',
    'line\n\n\n\n    indented\n\t\ttabbed   \n', `${' '.repeat(5)}\n${' '.repeat(9)}\n`, '\u200b\u200c\u200d\ufeff', 'a\u0085b\u0085 \u0085\u0085', '\u2028\u2029\u202f\u205f\u1680', '');
  return out;
}

function numbers(rand: (n: number) => number): string[] {
  const out = ['0', '00000', '1234567890', '3.14159265358979', '1,234,567.89', '-42', '1e-10', '6.022e23', '2024-06-30T12:34:56Z',
    '+1 (555) 010-9999', '0xDEADBEEF', '١٢٣٤٥٦', '१२३४', '一二三 123 ４５６', 'v1.2.3-rc.4', '$1,000,000.00', '99.9%'];
  let digits = '';
  for (let i = 0; i < 300; i++) digits += String(rand(10));
  out.push(digits, digits.match(/.{1,7}/g)!.join(' '), digits.match(/.{1,3}/g)!.join(','));
  return out;
}

function surrogates(): string[] {
  return ['\ud800', 'a\udc00b', 'emoji half \ud83d end', '\ude00\ud83d', 'pair 😀 then lone \udfff', '\ud83d\ud83d\ude00', 'x'.repeat(5) + '\ud834'];
}

/**
 * The tokenizer parity corpus, built in code (nothing downloaded): prose in ~30 languages and
 * scripts, source code, emoji with ZWJ sequences, skin tones, flags and keycaps, whitespace runs
 * up to 1000 characters, numbers, special-token strings of every catalogue model inside user text,
 * lone surrogates, seeded random Unicode mixes, and a few long documents. `long` adds entries of
 * 20-60 KB made of the rest (for throughput benchmarks); the parity test uses it too.
 */
export function buildCorpus(options: { seed?: number; randomEntries?: number; long?: boolean } = {}): CorpusEntry[] {
  const rand = seeded(options.seed ?? 20241123);
  const entries: CorpusEntry[] = [];
  const add = (kind: string, texts: readonly string[]): void => {
    for (const text of texts) entries.push({ kind, text });
  };
  add('prose', PROSE);
  add('prose', PROSE.map((p) => p.normalize('NFD')));
  add('code', CODE);
  add('emoji', EMOJI);
  add('emoji', [EMOJI.join(''), EMOJI.join(' ')]);
  add('whitespace', whitespace());
  add('numbers', numbers(rand));
  add('special-like', SPECIAL_LIKE);
  add('special-like', [SPECIAL_LIKE.join(''), SPECIAL_LIKE.join(' ')]);
  add('surrogates', surrogates());
  const n = options.randomEntries ?? 60;
  for (let i = 0; i < n; i++) add('random', [randomText(rand, 1 + rand(200))]);
  if (options.long ?? true) {
    const pool = entries.map((e) => e.text);
    for (const size of [20_000, 40_000, 60_000]) {
      let doc = '';
      while (doc.length < size) doc += pool[rand(pool.length)]! + (rand(3) === 0 ? '\n\n' : ' ');
      add('long', [doc]);
    }
  }
  return entries;
}
