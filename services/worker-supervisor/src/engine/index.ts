export { SimEngine, type GenerateRequest, type SequenceHandle, type EngineInfo } from './engine.js';
export { type EngineOptions, defaultEngineOptions, validateEngineOptions } from './engine-options.js';
export { type Clock, type TimerHandle, realClock, VirtualClock } from './clock.js';
export { type EngineEvent, type EngineEventBody, type EventWatcher } from './kv-events.js';
export { type SequenceListener, type SequenceResult, type FinishReason } from './sequence.js';
export { MODEL_CATALOGUE, LLAMA_3_1_70B_TP4, findModel, type ServedModel } from './catalogue.js';
export {
  GPU_PROFILES,
  H100_SXM_80GB,
  H200_SXM_141GB,
  A100_SXM_80GB,
  A100_SXM_40GB,
  LLAMA_3_1_8B,
  LLAMA_3_1_70B,
  kvBytesPerToken,
  type GpuProfile,
  type ModelProfile,
} from './profiles.js';
export { stepTimeSeconds, stepBreakdown, type StepWork, type StepBreakdown } from './roofline.js';
export { BLOCK_SIZE } from './block-pool.js';
export { RecordingListener } from './recording-listener.js';
