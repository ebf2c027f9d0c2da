import { mergeSymbols, toIds } from './merge.js';
import { utf8Symbols, type PairLookup } from './pair-table.js';
import type { PieceCache } from './piece-cache.js';

/**
 * The per-piece step the byte-level encoders share: a pre-tokenized piece that is one vocabulary
 * entry whole is that id; otherwise its UTF-8 bytes are merged by pair rank, and the result is
 * memoised in the piece cache. The symbol buffer is reused across pieces (grown on demand).
 */
export class PieceMerger {
  private syms = new Int32Array(64);

  constructor(
    private readonly whole: ReadonlyMap<string, number>,
    private readonly byteIds: Int32Array,
    private readonly pairs: PairLookup,
    private readonly cache: PieceCache,
  ) {}

  /** Appends the ids of `piece` to `out`. */
  encode(piece: string, out: number[]): void {
    const id = this.whole.get(piece);
    if (id !== undefined) {
      out.push(id);
      return;
    }
    let ids = this.cache.get(piece);
    if (ids === undefined) {
      ids = this.merge(piece);
      this.cache.set(piece, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]!);
  }

  private merge(piece: string): number[] {
    if (this.syms.length < 3 * piece.length) this.syms = new Int32Array(6 * piece.length);
    const syms = this.syms;
    const n = utf8Symbols(piece, this.byteIds, syms);
    return toIds(syms, mergeSymbols(syms, n, this.pairs));
  }
}
