import { describe, it, expect, beforeAll } from '@jest/globals';
import fc from 'fast-check';
import { defaultCatalogue } from './catalogue.js';
import { IncrementalDetokenizer, type DecodeFn } from './incremental-detokenizer.js';
import { TokenizerRegistry, type LoadedModel } from './registry.js';

const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Feeds `chunks` one by one; returns every delta, the flush last. */
function stream(decode: DecodeFn, chunks: number[][], skip: boolean): string[] {
  const detok = new IncrementalDetokenizer(decode, skip);
  const deltas = chunks.map((c) => detok.push(c));
  deltas.push(detok.flush());
  return deltas;
}

/** Splits ids into chunks at the given cut points. */
const chunked = (ids: number[], cuts: number[]): number[][] => {
  const points = [...new Set(cuts.map((c) => c % (ids.length + 1)))].sort((a, b) => a - b);
  const out: number[][] = [];
  let last = 0;
  for (const p of [...points, ids.length]) {
    out.push(ids.slice(last, p));
    last = p;
  }
  return out;
};

describe('IncrementalDetokenizer with a toy byte-level decoder', () => {
  // Token i is byte i: the smallest decoder where every UTF-8 edge case is reachable.
  const decode: DecodeFn = (ids) => new TextDecoder().decode(Uint8Array.from(ids));

  it('holds back a split multi-byte character until it completes', () => {
    const bytes = [...Buffer.from('a🎉b', 'utf8')];
    const detok = new IncrementalDetokenizer(decode);
    expect(bytes.map((b) => detok.push([b]))).toEqual(['a', '', '', '', '🎉', 'b']);
    expect(detok.flush()).toBe('');
    expect(detok.tokenCount).toBe(6);
  });

  it('flushes an incomplete tail as U+FFFD, like a one-shot decode', () => {
    const detok = new IncrementalDetokenizer(decode);
    expect(detok.push([0x68, 0xf0, 0x9f])).toBe('h');
    expect(detok.flush()).toBe('\uFFFD');
    expect(() => detok.push([0x41])).toThrow();
  });

  it('concatenated deltas equal a one-shot decode for any bytes and any chunking', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 10 }), (ids, cuts) => {
      expect(stream(decode, chunked(ids, cuts), false).join('')).toBe(decode(ids, false));
    }), { numRuns: 500 });
  });
});

describe.each(['llama-3.1-8b-instruct', 'qwen3-8b', 'gpt-oss-20b'])('IncrementalDetokenizer on %s', (modelId) => {
  let model: LoadedModel;
  let decode: DecodeFn;
  /** Ids whose own bytes are not whole UTF-8 characters (parts of emoji, CJK, accented letters). */
  let partialIds: number[];
  const sample = 'naïve café 日本語のテキスト 🎉👍🏽👨‍👩‍👧 Ωμέγα שלום مرحبا 한국어 \u{1F9EC}\u{1F980} ∑∫√ 🇺🇳 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ꙮ 𓀀𓁐 ᚠᛇᚻ ⿰𠀋 🫠🪿';

  beforeAll(async () => {
    model = await new TokenizerRegistry(defaultCatalogue()).get(modelId);
    decode = (ids, skip) => model.backend.decode(ids, skip);
    const [ids] = await model.backend.encodeTexts([sample]);
    partialIds = [...new Set(ids!)].filter((id) => decode([id], false).includes('\uFFFD'));
    expect(partialIds.length).toBeGreaterThan(4);
  });

  it('concatenated deltas equal a one-shot decode for random ids, including partial characters', () => {
    const id = fc.oneof(
      fc.integer({ min: 0, max: model.backend.vocabSize - 1 }),
      fc.constantFrom(...partialIds),
      fc.integer({ min: model.entry.regularVocabSize, max: model.backend.vocabSize - 1 }),
    );
    fc.assert(fc.property(fc.array(id, { maxLength: 48 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (ids, cuts, skip) => {
      const deltas = stream(decode, chunked(ids, cuts), skip);
      expect(deltas.join('')).toBe(decode(ids, skip));
      for (const d of deltas) expect(wellFormed(d)).toBe(true);
    }), { numRuns: 300 });
  });

  it('never emits half a character when streaming real text token by token', async () => {
    const texts = fc.array(fc.constantFrom(...sample.split(' '), ' ', '\n', 'ab', '1234'), { minLength: 1, maxLength: 12 }).map((w) => w.join(' '));
    const cases = fc.sample(texts, 40);
    const encoded = await model.backend.encodeTexts(cases);
    encoded.forEach((ids, i) => {
      const deltas = stream(decode, ids.map((t) => [t]), false);
      for (const d of deltas) expect(d).not.toContain('\uFFFD');
      expect(deltas.join('')).toBe(modelId === 'qwen3-8b' ? cases[i]!.normalize('NFC') : cases[i]);
    });
  });
});
