import { kvBytesPerToken, type GpuProfile, type ModelProfile } from './profiles.js';

/** One sequence's share of a step: `tokens` new tokens computed after `context` cached ones. */
export interface StepWork {
  context: number;
  tokens: number;
}

/**
 * Time of one engine step (one forward pass over the batch), in seconds, from a roofline:
 *
 *   step = max(flops / (peakFlops * eff_c), bytes / (bandwidth * eff_m)) + fixed overhead
 *
 *   flops = 2 * params * T                                  (every weight: one multiply-add per token)
 *         + 4 * layers * heads * headDim * sum_i attended_i (QK^T and AV, causal)
 *   bytes = params * bytesPerElement                        (weights read once per step)
 *         + kvBytesPerToken * sum_s (context_s + tokens_s)  (context KV read, new KV written)
 *
 * where T is the step's token count and attended_i the number of positions token i attends to
 * (for a chunk of n tokens after c cached ones: n*c + n(n+1)/2 in total). Activations and the
 * attention's on-chip traffic are ignored; they are small next to weights and KV at these sizes.
 * An empty step costs nothing.
 */
export function stepTimeSeconds(work: readonly StepWork[], gpu: GpuProfile, model: ModelProfile): number {
  let tokens = 0;
  let attended = 0;
  let kvTokens = 0;
  for (const w of work) {
    tokens += w.tokens;
    attended += w.tokens * w.context + (w.tokens * (w.tokens + 1)) / 2;
    kvTokens += w.context + w.tokens;
  }
  if (tokens === 0) return 0;
  const flops = 2 * model.params * tokens + 4 * model.layers * model.attentionHeads * model.headDim * attended;
  const bytes = model.params * model.bytesPerElement + kvBytesPerToken(model) * kvTokens;
  const compute = flops / (gpu.peakFlops * gpu.computeEfficiency);
  const memory = bytes / (gpu.memBandwidth * gpu.memoryEfficiency);
  return Math.max(compute, memory) + gpu.fixedOverheadS;
}
