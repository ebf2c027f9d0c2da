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
  /**
   * GPU-to-GPU bandwidth an all-reduce achieves, bytes/s per GPU per direction (NVLink peak times
   * an achieved fraction). Only tensor-parallel steps use it; absent: 300 GB/s.
   */
  interconnectBandwidth?: number;
  /** Fixed cost of one small all-reduce (launch and synchronisation), seconds; absent: 10 µs. */
  allReduceLatencyS?: number;
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

/*
 * GPU profiles. Peaks are NVIDIA datasheet figures (dense BF16 tensor FLOP/s, without the 2:4
 * sparsity headline; HBM bandwidth; NVLink aggregate bandwidth, of which half flows each way).
 * Efficiencies, overheads and all-reduce costs are calibrated in docs/engine-model.md, which
 * lists the published measurements used and the error that remains at each.
 */

/** NVIDIA H100 SXM5 80GB: 989 TFLOP/s BF16, 3.35 TB/s HBM3, NVLink 4 at 900 GB/s (450 each way). */
export const H100_SXM_80GB: GpuProfile = {
  name: 'H100-SXM-80GB',
  peakFlops: 989e12,
  memBandwidth: 3.35e12,
  computeEfficiency: 0.5,
  memoryEfficiency: 0.8,
  fixedOverheadS: 0.5e-3,
  interconnectBandwidth: 450e9 * 0.7,
  allReduceLatencyS: 8e-6,
};

/**
 * NVIDIA H200 SXM 141GB: the H100's compute (989 TFLOP/s BF16) with 4.8 TB/s HBM3e and the same
 * NVLink 4, so decode, which is bandwidth bound, runs about 1.4x faster and prefill as fast.
 */
export const H200_SXM_141GB: GpuProfile = {
  ...H100_SXM_80GB,
  name: 'H200-SXM-141GB',
  memBandwidth: 4.8e12,
};

/**
 * NVIDIA A100 SXM4 80GB: 312 TFLOP/s BF16, 2.039 TB/s HBM2e, NVLink 3 at 600 GB/s (300 each way).
 * Ampere GEMMs reach a larger share of their (lower) peak than Hopper's under vLLM: 0.6.
 */
export const A100_SXM_80GB: GpuProfile = {
  name: 'A100-SXM-80GB',
  peakFlops: 312e12,
  memBandwidth: 2.039e12,
  computeEfficiency: 0.6,
  memoryEfficiency: 0.8,
  fixedOverheadS: 0.5e-3,
  interconnectBandwidth: 300e9 * 0.7,
  allReduceLatencyS: 10e-6,
};

/** NVIDIA A100 SXM4 40GB: as the 80GB part with 1.555 TB/s HBM2 (the calibration anchor of decode). */
export const A100_SXM_40GB: GpuProfile = {
  ...A100_SXM_80GB,
  name: 'A100-SXM-40GB',
  memBandwidth: 1.555e12,
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

/**
 * Meta Llama-3.1-70B (config.json): 80 layers, hidden 8192, 64 query heads and 8 KV heads of 128
 * dims, 70.6B parameters, bf16. KV per token: 2 * 80 * 8 * 128 * 2 bytes = 320 KiB. Served with
 * tensor parallelism 4 (141 GB of weights do not fit one 80 GB GPU): see `stepTimeSeconds`.
 */
export const LLAMA_3_1_70B: ModelProfile = {
  name: 'Llama-3.1-70B',
  params: 70.6e9,
  layers: 80,
  hidden: 8192,
  attentionHeads: 64,
  kvHeads: 8,
  headDim: 128,
  bytesPerElement: 2,
};

/** GPUs the engine can simulate, by the name used in options and GetInfo. */
export const GPU_PROFILES: Readonly<Record<string, GpuProfile>> = {
  [H100_SXM_80GB.name]: H100_SXM_80GB,
  [H200_SXM_141GB.name]: H200_SXM_141GB,
  [A100_SXM_80GB.name]: A100_SXM_80GB,
  [A100_SXM_40GB.name]: A100_SXM_40GB,
};

/** Bytes of KV cache one token occupies across all layers. */
export function kvBytesPerToken(m: ModelProfile): number {
  return 2 * m.layers * m.kvHeads * m.headDim * m.bytesPerElement;
}
