import { createRequire } from 'node:module';
import type { Tiktoken } from 'tiktoken/lite';
import type { OpenAiEncoding } from '../catalogue.js';
import type { PieceEncoder } from './hf-pure-js.js';

const require = createRequire(import.meta.url);

/** The rank file format of the `tiktoken` npm package (tiktoken/encoders/*.json). */
interface RankFile {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/**
 * tiktoken's Rust core compiled to WebAssembly (the `tiktoken` npm package), as a PieceEncoder:
 * `encode_ordinary`, so no special token is recognised. Measured against `ByteRankBpe` by the
 * tokenizer benchmark and checked for identical ids by tiktoken-wasm.unit.spec.ts; the service
 * does not encode with it (docs/benchmarks/tokenizer.md: at parity with the pure-JS encoder on
 * text never seen, about 3x slower once pieces are cached).
 *
 * Costs: each call copies the text into WebAssembly memory as UTF-8 (lone surrogates become
 * U+FFFD there, as `toWellFormed` does) and the ids back out as a Uint32Array, then into an
 * array. The rank table lives in WebAssembly memory, outside the JavaScript heap and its garbage
 * collector: call `free()` when done; using the encoder after that throws.
 */
export class TiktokenWasm implements PieceEncoder {
  private freed = false;

  private constructor(private readonly core: Tiktoken) {}

  /**
   * Loads the package's bundled ranks of `encoding` (o200k_harmony: o200k_base's ranks, whose ids
   * it shares below 199998; its control tokens are irrelevant to `encode_ordinary`). Synchronous:
   * parses a 1-2.3 MB JSON file and builds the table in WebAssembly (0.05-0.4 s here).
   */
  static load(encoding: OpenAiEncoding): TiktokenWasm {
    const file = encoding === 'o200k_harmony' ? 'o200k_base' : encoding;
    const ranks = require(`tiktoken/encoders/${file}.json`) as RankFile;
    const { Tiktoken: Core } = require('tiktoken/lite') as { Tiktoken: new (ranks: string, specials: Record<string, number>, pattern: string) => Tiktoken };
    return new TiktokenWasm(new Core(ranks.bpe_ranks, ranks.special_tokens, ranks.pat_str));
  }

  /** The ids of `text`, no special tokens recognised. Throws after `free()`. */
  encode(text: string): number[] {
    if (this.freed) throw new Error('TiktokenWasm: encoder already freed');
    return Array.from(this.core.encode_ordinary(text));
  }

  /** Releases the WebAssembly memory of the rank table; idempotent. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.core.free();
  }
}
