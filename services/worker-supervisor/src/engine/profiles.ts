/**
 * Hardware and model profiles for the roofline step-time model. Plain data so that adding a GPU
 * or a model is adding an entry, not code.
 */

/** A GPU's peak rates and the fractions of them a well-tuned engine reaches. */
export interface GpuProfile {
  name: string;
  /** Dense bf16 tensor-core peak, FLOP/s (no structured sparsity). */
  peakFlops: number;
  /** HBM bandwidth, bytes/s. */
  memBandwidth: number;
  /** Achieved fraction of `peakFlops` in large GEMMs (prefill), 0..1. */
  computeEfficiency: number;
  /** Achieved fraction of `memBandwidth` when streaming weights and KV (decode), 0..1. */
  memoryEfficiency: number;
  /** Per-step cost that does not scale with work: scheduling, sampling, kernel launches. Seconds. */
  fixedOverheadS: number;
}

/** The transformer shape that decides FLOPs and bytes per token. */
export interface ModelProfile {
  name: string;
  params: number;
  layers: number;
  hidden: number;
  attentionHeads: number;
  kvHeads: number;
  headDim: number;
  /** Bytes per weight and per KV element (2 for bf16). */
  bytesPerElement: number;
}

/**
 * NVIDIA H100 SXM5 80GB. 989 TFLOP/s dense BF16 and 3.35 TB/s HBM3 are NVIDIA's datasheet
 * figures (the 1,979 TFLOP/s headline assumes 2:4 sparsity). The efficiencies are typical of
 * what vLLM-class engines reach: ~50% MFU in prefill, ~80% of HBM bandwidth in decode; with
 * them a batch-1 decode step of Llama-3.1-8B takes ~6.5 ms (~150 tokens/s), in line with
 * commonly reported single-stream vLLM numbers on this GPU.
 */
export const H100_SXM_80GB: GpuProfile = {
  name: 'H100-SXM-80GB',
  peakFlops: 989e12,
  memBandwidth: 3.35e12,
  computeEfficiency: 0.5,
  memoryEfficiency: 0.8,
  fixedOverheadS: 0.5e-3,
};

/**
 * Meta Llama-3.1-8B (model card and config.json): 32 layers, hidden 4096, 32 query heads and
 * 8 KV heads (GQA) of 128 dims, 8.03B parameters, served in bf16. KV per token:
 * 2 (K and V) * 32 layers * 8 heads * 128 dims * 2 bytes = 128 KiB.
 */
export const LLAMA_3_1_8B: ModelProfile = {
  name: 'Llama-3.1-8B',
  params: 8.03e9,
  layers: 32,
  hidden: 4096,
  attentionHeads: 32,
  kvHeads: 8,
  headDim: 128,
  bytesPerElement: 2,
};

/** GPUs the engine can simulate, by the name used in options and GetInfo. */
export const GPU_PROFILES: Readonly<Record<string, GpuProfile>> = {
  [H100_SXM_80GB.name]: H100_SXM_80GB,
};

/** Bytes of KV cache one token occupies across all layers. */
export function kvBytesPerToken(m: ModelProfile): number {
  return 2 * m.layers * m.kvHeads * m.headDim * m.bytesPerElement;
}
