import { kvBytesPerToken, type GpuProfile, type ModelProfile } from './profiles.js';

/** One sequence's share of a step: `tokens` new tokens computed after `context` cached ones. */
export interface StepWork {
  context: number;
  tokens: number;
}

/** The parts of a step time, seconds, for tests, the docs and calibration. */
export interface StepBreakdown {
  /** FLOPs per GPU / (peak * computeEfficiency). */
  compute: number;
  /** Bytes per GPU / (bandwidth * memoryEfficiency). */
  memory: number;
  /** Tensor-parallel all-reduces; 0 at TP 1. */
  communication: number;
  /** max(compute, memory) + communication + fixed overhead; 0 for an empty step. */
  total: number;
}

const DEFAULT_INTERCONNECT = 300e9;
const DEFAULT_ALL_REDUCE_LATENCY = 10e-6;

/**
 * Time of one engine step (one forward pass over the batch) on a tensor-parallel group of
 * `tensorParallel` GPUs, in seconds, from a roofline (docs/engine-model.md has the derivation and
 * the calibration):
 *
 *   step  = max(flops / p / (peakFlops * eff_c), bytes / p / (bandwidth * eff_m)) + comm + overhead
 *   flops = 2 * params * T + 4 * layers * heads * headDim * sum_i attended_i
 *   bytes = params * bytesPerElement + kvBytesPerToken * sum_s (context_s + tokens_s)
 *   comm  = (p > 1) * 2 * layers * (latency_ar + 2 (p-1)/p * T * hidden * bytesPerElement / bw_link)
 *
 * T is the step's token count and attended_i the positions token i attends to (a chunk of n
 * tokens after c cached ones: n*c + n(n+1)/2 in total). Megatron-style tensor parallelism splits
 * every weight matrix and the KV heads p ways (p <= kvHeads) and adds two all-reduces of the
 * activations per layer (after attention and after the MLP), ring cost, not overlapped with
 * compute (vLLM does not overlap them). Activations other than the all-reduced ones are ignored.
 */
export function stepBreakdown(work: readonly StepWork[], gpu: GpuProfile, model: ModelProfile, tensorParallel = 1): StepBreakdown {
  const p = tensorParallel;
  if (!Number.isInteger(p) || p < 1 || p > model.kvHeads) throw new RangeError(`tensor parallel size must be an integer in [1, ${model.kvHeads}], got ${p}`);
  let tokens = 0;
  let attended = 0;
  let kvTokens = 0;
  for (const w of work) {
    tokens += w.tokens;
    attended += w.tokens * w.context + (w.tokens * (w.tokens + 1)) / 2;
    kvTokens += w.context + w.tokens;
  }
  if (tokens === 0) return { compute: 0, memory: 0, communication: 0, total: 0 };
  const flops = 2 * model.params * tokens + 4 * model.layers * model.attentionHeads * model.headDim * attended;
  const bytes = model.params * model.bytesPerElement + kvBytesPerToken(model) * kvTokens;
  const compute = flops / p / (gpu.peakFlops * gpu.computeEfficiency);
  const memory = bytes / p / (gpu.memBandwidth * gpu.memoryEfficiency);
  let communication = 0;
  if (p > 1) {
    const message = tokens * model.hidden * model.bytesPerElement;
    const perAllReduce = (gpu.allReduceLatencyS ?? DEFAULT_ALL_REDUCE_LATENCY) + ((2 * (p - 1)) / p) * (message / (gpu.interconnectBandwidth ?? DEFAULT_INTERCONNECT));
    communication = 2 * model.layers * perAllReduce;
  }
  return { compute, memory, communication, total: Math.max(compute, memory) + communication + gpu.fixedOverheadS };
}

/** The step time alone, seconds (see `stepBreakdown`). An empty step costs nothing. */
export function stepTimeSeconds(work: readonly StepWork[], gpu: GpuProfile, model: ModelProfile, tensorParallel = 1): number {
  return stepBreakdown(work, gpu, model, tensorParallel).total;
}
