import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import fc from 'fast-check';
import { toWellFormed } from '../backend.js';
import { GptTokenizerBackend } from '../backends/gpt-tokenizer.js';
import { buildCorpus } from '../corpus/corpus.js';
import { TiktokenWasm } from './tiktoken-wasm.js';

// The WebAssembly build of tiktoken (measured by the benchmark as the alternative OpenAI
// encoder) against the service's ByteRankBpe: identical ids on the corpus, including the U+FEFF,
// U+0085 and lone-surrogate entries where JavaScript ports of tiktoken have diverged.

const corpus = buildCorpus({ long: false });
/** Random mixes of the characters where the split patterns' branches differ (letter classes, marks, numbers, white space, contractions). */
const atoms = [
  'A', 'Ω', 'ǅ', 'ʰ', '中', 'ก', '\u0301', 'a', 'ß', 'e\u0301', '0', '٣', 'Ⅻ', '½', '𝟘', '𝐀', '𝐚', '😀', '👨‍👩‍👧', ' ', '   ', '\t', '\n', '\r\n',
  '\u0085', '\u00a0', '\u3000', '\ufeff', "'", "'s", "'LL", "'Ve", "'re", 's', 'll', '.', '/', '-', '<|', '|>', 'the', ' The', 'ing',
];
const tricky = fc.array(fc.constantFrom(...atoms), { maxLength: 40, size: 'max' }).map((p) => p.join(''));

describe.each([
  ['o200k_base', 199998],
  ['cl100k_base', 100256],
  ['o200k_harmony', 199998],
] as const)('%s: TiktokenWasm', (encoding, regular) => {
  let wasm: TiktokenWasm;
  let service: GptTokenizerBackend;
  beforeAll(async () => {
    wasm = TiktokenWasm.load(encoding);
    service = await GptTokenizerBackend.load(encoding, regular, 0);
  });
  afterAll(() => wasm.free());

  it('gives the service encoder\'s ids on every corpus entry', () => {
    for (let i = 0; i < corpus.length; i++) {
      const text = toWellFormed(corpus[i]!.text);
      expect([i, wasm.encode(text)]).toEqual([i, service.encodeText(text)]);
    }
  });

  it('gives the service encoder\'s ids on random mixes of tricky characters', () => {
    fc.assert(fc.property(tricky, (text) => {
      expect([text, wasm.encode(text)]).toEqual([text, service.encodeText(text)]);
    }), { seed: 12, numRuns: 1000 });
  });

  it('treats U+FEFF and U+0085 as tiktoken does, and replaces lone surrogates by U+FFFD', () => {
    for (const text of ['a\ufeffb \ufeff\ufeff', '\ufeff  x', 'a\u0085b\u0085 \u0085\u0085', 'x \ud800 y\udfff', '\ud83d']) {
      expect(wasm.encode(text)).toEqual(service.encodeText(toWellFormed(text)));
    }
  });

  it('encodes special-token strings as text', () => {
    const ids = wasm.encode('<|endoftext|><|start|>');
    expect(ids.length).toBeGreaterThan(2);
    expect(ids).toEqual(service.encodeText('<|endoftext|><|start|>'));
  });
});

it('refuses to encode after free()', () => {
  const wasm = TiktokenWasm.load('cl100k_base');
  expect(wasm.encode('hello')).toEqual([15339]);
  wasm.free();
  wasm.free();
  expect(() => wasm.encode('hello')).toThrow('freed');
});
