import { invalidArgument } from '@infermesh/errors';
import type { ServedModel } from './catalogue.js';
import { GPU_PROFILES } from './profiles.js';

/** Configuration of one simulated engine. */
export interface EngineOptions {
  workerId: string;
  /** A key of GPU_PROFILES, e.g. "H100-SXM-80GB". */
  gpu: string;
  /** Most sequences in a batch. */
  maxNumSeqs: number;
  /** KV cache size in 16-token blocks. */
  kvBlocks: number;
  /** Per-step token budget (prefill chunks plus decodes). */
  maxBatchedTokens: number;
  /** Most sequences waiting for admission before submit fails with RESOURCE_EXHAUSTED. */
  maxWaiting: number;
  /** Period of load reports on the event stream, ms; 0 turns them off. */
  loadReportIntervalMs: number;
  /** Served models; defaults to MODEL_CATALOGUE. */
  models?: readonly ServedModel[];
}

/** Defaults close to a vLLM deployment of an 8B model on one H100. */
export function defaultEngineOptions(): EngineOptions {
  return {
    workerId: 'w0-0',
    gpu: 'H100-SXM-80GB',
    maxNumSeqs: 64,
    kvBlocks: 4096,
    maxBatchedTokens: 2048,
    maxWaiting: 1024,
    loadReportIntervalMs: 1000,
  };
}

/** Returns the options or throws INVALID_ARGUMENT naming the bad one. */
export function validateEngineOptions(o: EngineOptions): EngineOptions {
  const positive = (v: number, name: string): void => {
    if (!Number.isInteger(v) || v < 1) throw invalidArgument(`${name} must be a positive integer, got ${v}`, name);
  };
  positive(o.maxNumSeqs, 'maxNumSeqs');
  positive(o.kvBlocks, 'kvBlocks');
  positive(o.maxBatchedTokens, 'maxBatchedTokens');
  positive(o.maxWaiting, 'maxWaiting');
  if (!(o.loadReportIntervalMs >= 0)) throw invalidArgument('loadReportIntervalMs must be >= 0', 'loadReportIntervalMs');
  if (GPU_PROFILES[o.gpu] === undefined) throw invalidArgument(`unknown gpu ${JSON.stringify(o.gpu)}`, 'gpu');
  if (o.workerId === '') throw invalidArgument('workerId must not be empty', 'workerId');
  for (const m of o.models ?? []) {
    const tp = m.tensorParallel ?? 1;
    if (!Number.isInteger(tp) || tp < 1 || tp > m.profile.kvHeads) {
      throw invalidArgument(`model ${m.name}: tensorParallel must be an integer in [1, ${m.profile.kvHeads}], got ${tp}`, 'models');
    }
  }
  return o;
}
