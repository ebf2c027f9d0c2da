import { describe, expect, it } from '@jest/globals';
import { H100_SXM_80GB, LLAMA_3_1_8B, kvBytesPerToken } from './profiles.js';
import { stepTimeSeconds } from './roofline.js';

const step = (work: { context: number; tokens: number }[]) => stepTimeSeconds(work, H100_SXM_80GB, LLAMA_3_1_8B);

describe('roofline step time (Llama-3.1-8B on H100-SXM-80GB)', () => {
  it('holds 128 KiB of KV per token', () => {
    expect(kvBytesPerToken(LLAMA_3_1_8B)).toBe(131_072);
  });

  it('makes batch-1 decode memory bound: weights / (3.35 TB/s * 0.8) + overhead', () => {
    const expected = (8.03e9 * 2 + 131_072 * 101) / (3.35e12 * 0.8) + 0.5e-3;
    expect(step([{ context: 100, tokens: 1 }])).toBeCloseTo(expected, 9);
    expect(step([{ context: 100, tokens: 1 }])).toBeGreaterThan(0.006);
    expect(step([{ context: 100, tokens: 1 }])).toBeLessThan(0.007);
  });

  it('makes a 2048-token prefill compute bound, attention included', () => {
    const flops = 2 * 8.03e9 * 2048 + 4 * 32 * 32 * 128 * ((2048 * 2049) / 2);
    expect(step([{ context: 0, tokens: 2048 }])).toBeCloseTo(flops / (989e12 * 0.5) + 0.5e-3, 9);
  });

  it('amortises weights over a decode batch and charges for context read', () => {
    const one = step([{ context: 1000, tokens: 1 }]);
    const batch = step(Array.from({ length: 32 }, () => ({ context: 1000, tokens: 1 })));
    expect(batch / 32).toBeLessThan(one / 10);
    expect(step([{ context: 50_000, tokens: 1 }])).toBeGreaterThan(one * 1.3);
    expect(step([])).toBe(0);
  });
});
