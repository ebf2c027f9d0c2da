import { describe, it, expect, beforeAll } from '@jest/globals';
import { encodeSegments, toWellFormed } from '../backend.js';
import { defaultCatalogue } from '../catalogue.js';
import { TokenizerRegistry, type LoadedModel } from '../registry.js';
import { DetokenizeSession } from '../tokenizer-service.js';
import { buildCorpus, seeded } from './corpus.js';

const corpus = buildCorpus({ long: false });
const registry = new TokenizerRegistry(defaultCatalogue());

/**
 * What decode(encode(x)) must give: x itself for the byte-level tokenizers, after lone
 * surrogates become U+FFFD (the service's documented treatment); NFC(x) for Qwen3, whose
 * normalizer is NFC; and for Gemma 3, x with U+2581 read as a space (its normalizer writes
 * spaces as U+2581 and its decoder turns every U+2581 back into a space).
 */
function expected(model: string, text: string): string {
  const wf = toWellFormed(text);
  if (model === 'qwen3-8b') return wf.normalize('NFC');
  if (model === 'gemma-3-27b-it') return wf.replaceAll('\u2581', ' ');
  return wf;
}

describe.each(defaultCatalogue().models.map((m) => m.id))('%s over the corpus', (modelId) => {
  let model: LoadedModel;
  let ids: number[][];
  beforeAll(async () => {
    model = await registry.get(modelId);
    ids = await Promise.all(corpus.map((e) => encodeSegments(model.backend, [{ kind: 'text', text: e.text }])));
  });

  it('decode(encode(x)) = x wherever the tokenizer is lossless', () => {
    const bad = corpus.map((e, i) => [i, e.kind] as const).filter(([i]) => model.backend.decode(ids[i]!, false) !== expected(modelId, corpus[i]!.text));
    expect(bad).toEqual([]);
  });

  it('the streaming detokenizer equals the one-shot decode, token by token and in random chunks', () => {
    const rand = seeded(7);
    corpus.forEach((_e, i) => {
      const all = ids[i]!;
      const oneShot = model.backend.decode(all, false);
      for (const chunky of [false, true]) {
        const s = new DetokenizeSession(model, false);
        let out = '';
        for (let at = 0; at < all.length;) {
          const n = chunky ? 1 + rand(6) : 1;
          out += s.push(all.slice(at, at + n)).text;
          at += n;
        }
        out += s.flush().text;
        expect(out).toBe(oneShot);
      }
    });
  });

  it('stops at a stop string spanning tokens and emits nothing after it', () => {
    const text = 'The answer is 42.</answer> and then more text that must not appear';
    return encodeSegments(model.backend, [{ kind: 'text', text }]).then((tokenIds) => {
      const s = new DetokenizeSession(model, false, ['</answer>', 'never']);
      let out = '';
      let matched: string | undefined;
      for (const id of tokenIds) {
        const step = s.push([id]);
        out += step.text;
        if (step.matchedStop !== undefined) {
          matched = step.matchedStop;
          break;
        }
      }
      expect(matched).toBe('</answer>');
      expect(out).toBe('The answer is 42.');
      expect(s.finished).toBe(true);
      expect(s.tokenCount).toBeLessThan(tokenIds.length);
    });
  });
});
