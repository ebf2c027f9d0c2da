import { describe, expect, it } from '@jest/globals';
import { OutputTokens } from './output-tokens.js';

describe('OutputTokens', () => {
  // Ids of the xxHash32-style prompt seed: changing them changes every simulated output block (and
  // so the routing report), which must then be regenerated deliberately.
  const golden = [100975, 32813, 66256, 41434];
  const at = (o: OutputTokens): number[] => [0, 1, 2, 100].map((i) => o.at(i));
  const backing = new Uint32Array(40_000);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 2654435761) % 128_000;

  it('keeps the ids of a (model, seed, prompt) for a typed view at an offset and for a plain array', () => {
    const view = backing.subarray(3, 9003);
    expect(at(new OutputTokens('llama-3.1-8b-instruct', 42n, view, 128_000))).toEqual(golden);
    expect(at(new OutputTokens('llama-3.1-8b-instruct', 42n, Array.from(view), 128_000))).toEqual(golden);
  });

  it('gives the same ids for the same prompt, whatever array holds it', () => {
    for (const length of [1, 2, 3, 4, 5, 16, 17, 1001]) {
      const a = backing.slice(100, 100 + length);
      const b = Uint32Array.from(backing.subarray(100, 100 + length));
      expect(at(new OutputTokens('m', 5n, a, 128_000))).toEqual(at(new OutputTokens('m', 5n, b, 128_000)));
    }
  });

  it('depends on the model, the seed, the length and every prompt token', () => {
    const prompt = Uint32Array.from({ length: 67 }, (_, i) => i + 1);
    const base = at(new OutputTokens('m', 1n, prompt, 128_000));
    const seen = new Set([base.join()]);
    const differs = (o: OutputTokens): void => {
      const ids = at(o).join();
      expect(seen.has(ids)).toBe(false);
      seen.add(ids);
    };
    differs(new OutputTokens('m2', 1n, prompt, 128_000));
    differs(new OutputTokens('m', 2n, prompt, 128_000));
    differs(new OutputTokens('m', 1n | (1n << 40n), prompt, 128_000));
    differs(new OutputTokens('m', 1n, prompt.subarray(0, 66), 128_000));
    for (let pos = 0; pos < prompt.length; pos++) {
      const changed = prompt.slice();
      changed[pos] = 1000 + pos;
      differs(new OutputTokens('m', 1n, changed, 128_000));
    }
  });

  it('stays in [firstToken, vocabSize)', () => {
    const o = new OutputTokens('m', 9n, backing.subarray(0, 50), 1000, 990);
    for (let i = 0; i < 500; i++) {
      const t = o.at(i);
      expect(t).toBeGreaterThanOrEqual(990);
      expect(t).toBeLessThan(1000);
    }
  });
});
