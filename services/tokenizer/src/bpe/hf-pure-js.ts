import { ByteLevelBpe } from './byte-level-bpe.js';
import type { HfTokenizerJson } from './hf-json.js';
import { SentencePieceBpe } from './sentencepiece-bpe.js';

export type { HfTokenizerJson } from './hf-json.js';

/** A synchronous encoder of well-formed text: no special tokens recognised, none added. */
export interface PieceEncoder {
  encode(text: string): number[];
}

/**
 * The pure-JS encoder for a tokenizer.json, or the reasons none applies (the caller then uses the
 * native binding). Throws only when a matching file is inconsistent (a merge naming an unknown
 * token, a missing byte token). `cacheSize`: pieces whose ids are kept per cache generation (0: none).
 */
export function pureJsEncoder(json: HfTokenizerJson, cacheSize = 50_000): PieceEncoder | string {
  const byteLevel = ByteLevelBpe.fromJson(json, cacheSize);
  if (typeof byteLevel !== 'string') return byteLevel;
  const sentencePiece = SentencePieceBpe.fromJson(json, cacheSize);
  if (typeof sentencePiece !== 'string') return sentencePiece;
  return `not byte-level BPE (${byteLevel}); not SentencePiece BPE (${sentencePiece})`;
}
