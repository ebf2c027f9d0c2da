import { describe, expect, it } from '@jest/globals';
import { defaultEngineOptions, validateEngineOptions } from './engine-options.js';
import { LLAMA_3_1_70B_TP4 } from './catalogue.js';
import { A100_SXM_40GB, A100_SXM_80GB, GPU_PROFILES, H100_SXM_80GB, H200_SXM_141GB, LLAMA_3_1_70B, LLAMA_3_1_8B, kvBytesPerToken } from './profiles.js';
import { stepBreakdown, stepTimeSeconds } from './roofline.js';

const step = (work: { context: number; tokens: number }[]) => stepTimeSeconds(work, H100_SXM_80GB, LLAMA_3_1_8B);
const decodes = (n: number, context: number) => Array.from({ length: n }, () => ({ context, tokens: 1 }));

describe('roofline step time (Llama-3.1-8B on H100-SXM-80GB)', () => {
  it('holds 128 KiB of KV per token (8B) and 320 KiB (70B)', () => {
    expect(kvBytesPerToken(LLAMA_3_1_8B)).toBe(131_072);
    expect(kvBytesPerToken(LLAMA_3_1_70B)).toBe(327_680);
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
    const batch = step(decodes(32, 1000));
    expect(batch / 32).toBeLessThan(one / 10);
    expect(step([{ context: 50_000, tokens: 1 }])).toBeGreaterThan(one * 1.3);
    expect(step([])).toBe(0);
  });
});

describe('roofline across GPUs', () => {
  it('registers H100, H200 and both A100 parts by name', () => {
    expect(Object.keys(GPU_PROFILES).sort()).toEqual(['A100-SXM-40GB', 'A100-SXM-80GB', 'H100-SXM-80GB', 'H200-SXM-141GB']);
  });

  it.each([H100_SXM_80GB, H200_SXM_141GB, A100_SXM_80GB])('%s: decode is memory bound and prefill compute bound', (gpu) => {
    const decode = stepBreakdown(decodes(16, 2000), gpu, LLAMA_3_1_8B);
    expect(decode.memory).toBeGreaterThan(5 * decode.compute);
    const prefill = stepBreakdown([{ context: 0, tokens: 4096 }], gpu, LLAMA_3_1_8B);
    expect(prefill.compute).toBeGreaterThan(3 * prefill.memory);
  });

  it('speeds decode up by the bandwidth ratio on H200 and leaves prefill alone', () => {
    const h100 = stepBreakdown(decodes(1, 1000), H100_SXM_80GB, LLAMA_3_1_8B);
    const h200 = stepBreakdown(decodes(1, 1000), H200_SXM_141GB, LLAMA_3_1_8B);
    expect(h100.memory / h200.memory).toBeCloseTo(4.8 / 3.35, 6);
    expect(stepTimeSeconds([{ context: 0, tokens: 4096 }], H200_SXM_141GB, LLAMA_3_1_8B)).toBe(stepTimeSeconds([{ context: 0, tokens: 4096 }], H100_SXM_80GB, LLAMA_3_1_8B));
  });

  it('reproduces the calibration anchor: A100-40GB batch-1 decode near 75 tokens/s (13.3 ms), within 5%', () => {
    const t = stepTimeSeconds(decodes(1, 1100), A100_SXM_40GB, LLAMA_3_1_8B);
    expect(Math.abs(t - 1 / 75) / (1 / 75)).toBeLessThan(0.05);
  });
});

describe('tensor parallelism (Llama-3.1-70B)', () => {
  it('splits compute and memory p ways and adds two all-reduces per layer', () => {
    const one = stepBreakdown(decodes(8, 1000), H100_SXM_80GB, LLAMA_3_1_70B, 1);
    const four = stepBreakdown(decodes(8, 1000), H100_SXM_80GB, LLAMA_3_1_70B, 4);
    expect(four.memory).toBeCloseTo(one.memory / 4, 12);
    expect(four.compute).toBeCloseTo(one.compute / 4, 12);
    expect(one.communication).toBe(0);
    const message = 8 * 8192 * 2;
    expect(four.communication).toBeCloseTo(2 * 80 * (8e-6 + 1.5 * (message / (450e9 * 0.7))), 12);
    expect(four.total).toBeCloseTo(Math.max(four.compute, four.memory) + four.communication + 0.5e-3, 12);
  });

  it('makes communication grow with the tokens of the step, so TP scaling is sublinear for prefill', () => {
    const small = stepBreakdown([{ context: 0, tokens: 16 }], H100_SXM_80GB, LLAMA_3_1_70B, 4);
    const big = stepBreakdown([{ context: 0, tokens: 8192 }], H100_SXM_80GB, LLAMA_3_1_70B, 4);
    expect(big.communication).toBeGreaterThan(10 * small.communication);
    const tp2 = stepTimeSeconds([{ context: 0, tokens: 8192 }], H100_SXM_80GB, LLAMA_3_1_70B, 2);
    const tp4 = big.total;
    expect(tp2 / tp4).toBeGreaterThan(1.5);
    expect(tp2 / tp4).toBeLessThan(2);
  });

  it('gives 70B TP4 batch-1 decode on H100 between 12 and 18 ms per token', () => {
    const t = stepTimeSeconds(decodes(1, 1000), H100_SXM_80GB, LLAMA_3_1_70B, 4);
    expect(t).toBeGreaterThan(0.012);
    expect(t).toBeLessThan(0.018);
  });

  it('rejects a tensor-parallel size the KV heads cannot be split by, here and in engine options', () => {
    expect(() => stepTimeSeconds(decodes(1, 10), H100_SXM_80GB, LLAMA_3_1_70B, 16)).toThrow(RangeError);
    expect(() => stepTimeSeconds(decodes(1, 10), H100_SXM_80GB, LLAMA_3_1_70B, 0)).toThrow(RangeError);
    expect(() => validateEngineOptions({ ...defaultEngineOptions(), models: [{ ...LLAMA_3_1_70B_TP4, tensorParallel: 3.5 }] })).toThrow(/tensorParallel/);
    expect(validateEngineOptions({ ...defaultEngineOptions(), models: [LLAMA_3_1_70B_TP4] }).models).toHaveLength(1);
  });
});
