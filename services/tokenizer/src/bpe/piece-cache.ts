/**
 * A bounded cache of merge results, keyed by pre-token piece. Eviction is by generation: when
 * the current map holds `capacity` pieces or MAX_CHARS chars of keys, it becomes the previous one
 * and a fresh map starts, so the pieces in use survive (a hit in the previous map is copied
 * forward) and memory stays under two generations (about 2 x (8 MB of keys + ids)). Pieces longer
 * than MAX_PIECE chars are not cached. Keys are stored as copies: a piece cut from a prompt is a
 * V8 sliced string that keeps the whole prompt alive, so without the copy a cache of distinct
 * prompts' pieces would hold those prompts (a 20-char key pinning a 60 KB text).
 */
export class PieceCache {
  static readonly MAX_PIECE = 4096;
  static readonly MAX_CHARS = 4_000_000;
  private current = new Map<string, number[]>();
  private previous = new Map<string, number[]>();
  private chars = 0;

  /** `capacity` pieces per generation; 0 disables the cache. */
  constructor(private readonly capacity: number) {}

  get(piece: string): number[] | undefined {
    const hit = this.current.get(piece);
    if (hit !== undefined || this.previous.size === 0) return hit;
    const old = this.previous.get(piece);
    if (old !== undefined) this.set(piece, old);
    return old;
  }

  set(piece: string, ids: number[]): void {
    if (this.capacity === 0 || piece.length > PieceCache.MAX_PIECE) return;
    if (this.current.size >= this.capacity || this.chars + piece.length > PieceCache.MAX_CHARS) {
      this.previous = this.current;
      this.current = new Map();
      this.chars = 0;
    }
    this.current.set(detached(piece), ids);
    this.chars += piece.length;
  }
}

/** V8 makes slices of 13 or more chars views of their parent string; shorter ones are copies already. */
const MIN_SLICE = 13;

/** A copy of `s` that shares no storage with the string it was cut from (lossless for any UTF-16). */
export function detached(s: string): string {
  return s.length < MIN_SLICE ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}
