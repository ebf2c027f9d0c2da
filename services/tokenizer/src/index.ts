export { startTokenizer, defaultTokenizerOptions, type TokenizerOptions, type TokenizerDeps } from './start.js';
export {
  defaultCatalogue,
  indexCatalogue,
  tokenizerName,
  type Catalogue,
  type ModelEntry,
  type TokenizerSource,
  type ChatFormat,
  type OpenAiEncoding,
} from './catalogue.js';
export { encodeSegments, type Segment, type TokenizerBackend } from './backend.js';
export { HfTokenizersBackend, type HfTokenizerConfig } from './backends/hf-tokenizers.js';
export { GptTokenizerBackend } from './backends/gpt-tokenizer.js';
export { pureJsEncoder, type PieceEncoder, type HfTokenizerJson } from './bpe/hf-pure-js.js';
export { ByteRankBpe } from './bpe/byte-rank-bpe.js';
export type { ChatFormatter, ChatInput, ChatTurn } from './chat/chat.js';
export { JinjaChatFormatter } from './chat/jinja-formatter.js';
export { HarmonyChatFormatter } from './chat/harmony-formatter.js';
export { SpecialSplitter } from './chat/special-splitter.js';
export { IncrementalDetokenizer, type DecodeFn } from './incremental-detokenizer.js';
export { TokenizerRegistry, DEFAULT_PIECE_CACHE, type LoadedModel, type HfEncoder } from './registry.js';
export {
  TokenizerService,
  DetokenizeSession,
  MAX_BATCH,
  type TokenizeInput,
  type TokenizeResult,
  type BatchItem,
  type CountResult,
  type StreamStep,
} from './tokenizer-service.js';
export { StopMatcher, MAX_STOPS, MAX_STOP_LENGTH, type StopStep } from './stop-matcher.js';
export { ChatMlFormatter } from './chat/chatml-formatter.js';
export { toWellFormed } from './backend.js';
export { buildCorpus, seeded, type CorpusEntry } from './corpus/corpus.js';
export { TiktokenWasm } from './bpe/tiktoken-wasm.js';
export { ensureTiktokenCache } from './parity/python-reference.js';
