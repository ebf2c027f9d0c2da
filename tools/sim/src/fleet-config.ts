import { GPU_PROFILES, LLAMA_3_1_8B, kvBytesPerToken, BLOCK_SIZE, type ModelProfile } from '@infermesh/worker-supervisor';

/** The simulated fleet: how many engines and how each is configured. */
export interface FleetConfig {
  workers: number;
  /** A key of GPU_PROFILES. */
  gpu: string;
  /** A model of the engine catalogue. */
  model: string;
  /** vLLM max_num_seqs: also the scheduler's slot capacity per worker. */
  maxNumSeqs: number;
  /** vLLM max_num_batched_tokens (chunked-prefill budget per step). */
  maxBatchedTokens: number;
  /** KV cache per engine, 16-token blocks. */
  kvBlocks: number;
  /** Delay from an engine step to its KV events reaching the directory (bus + consumer), ms. */
  eventDelayMs: number;
  /** Period of engine load reports to the scheduler, ms. */
  loadReportIntervalMs: number;
}

/**
 * KV blocks vLLM would allocate: (GPU memory * utilisation - weights - activation reserve) / KV
 * bytes per block. For an 80 GB H100 at vLLM's default gpu_memory_utilization 0.9, bf16
 * Llama-3.1-8B weights (16.1 GB) and ~4 GB of activations and CUDA graphs, that is ~24.8K
 * blocks, i.e. ~396K tokens, within a few percent of what vLLM logs as "GPU KV cache size"
 * for this model on this GPU.
 */
export function kvBlocksFor(gpuMemoryBytes: number, model: ModelProfile, utilisation = 0.9, reserveBytes = 4e9): number {
  const free = gpuMemoryBytes * utilisation - model.params * model.bytesPerElement - reserveBytes;
  return Math.max(1, Math.floor(free / (kvBytesPerToken(model) * BLOCK_SIZE)));
}

/** 8 H100s serving Llama-3.1-8B with vLLM-like settings (max_num_seqs 128, 8192-token steps). */
export function defaultFleetConfig(): FleetConfig {
  if (GPU_PROFILES['H100-SXM-80GB'] === undefined) throw new Error('H100-SXM-80GB profile missing from the engine');
  return {
    workers: 8,
    gpu: 'H100-SXM-80GB',
    model: 'llama-3.1-8b-instruct',
    maxNumSeqs: 128,
    maxBatchedTokens: 8192,
    kvBlocks: kvBlocksFor(80e9, LLAMA_3_1_8B),
    eventDelayMs: 2,
    loadReportIntervalMs: 250,
  };
}
