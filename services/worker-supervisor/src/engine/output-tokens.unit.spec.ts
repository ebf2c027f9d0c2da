import { describe, expect, it } from '@jest/globals';
import { OutputTokens } from './output-tokens.js';

describe('OutputTokens', () => {
  // Ids produced before the prompt was hashed in place (main at 91944c8): changing them would
  // change every simulated output block and the e2e runs that compare tenants with one seed.
  const golden = [50157, 118099, 42874, 31791];
  const at = (o: OutputTokens): number[] => [0, 1, 2, 100].map((i) => o.at(i));

  it('keeps the ids of a (model, seed, prompt) for a typed view at an offset and for a plain array', () => {
    const backing = new Uint32Array(40_000);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 2654435761) % 128_000;
    const view = backing.subarray(3, 9003);
    expect(at(new OutputTokens('llama-3.1-8b-instruct', 42n, view, 128_000))).toEqual(golden);
    expect(at(new OutputTokens('llama-3.1-8b-instruct', 42n, Array.from(view), 128_000))).toEqual(golden);
  });

  it('depends on the seed and on every prompt token', () => {
    const prompt = Uint32Array.from({ length: 64 }, (_, i) => i + 1);
    const base = at(new OutputTokens('m', 1n, prompt, 1000));
    expect(at(new OutputTokens('m', 2n, prompt, 1000))).not.toEqual(base);
    const changed = prompt.slice();
    changed[63] = 7;
    expect(at(new OutputTokens('m', 1n, changed, 1000))).not.toEqual(base);
  });
});
