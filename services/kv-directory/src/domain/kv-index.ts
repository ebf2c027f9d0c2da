/**
 * The KV-block index port: which worker holds which prompt blocks, per model. Implementations
 * are in-memory and synchronous; sequencing of engine events (duplicates, gaps) is the
 * caller's job (see `EventApplier`), so an index only sees events in the order to apply them.
 *
 * Block hashes are the 64-bit block keys of the tokenizer.v1 scheme; they already chain each
 * block to its parent, so an index keys on the hash alone and never needs the parent.
 */
export interface KvIndex {
  /** The worker now holds these blocks of `model`. Re-storing a held block is a no-op. */
  stored(workerId: string, model: string, blockHashes: readonly bigint[]): void;
  /** The worker evicted these blocks of `model`. Removing an unknown block is a no-op. */
  removed(workerId: string, model: string, blockHashes: readonly bigint[]): void;
  /** The worker dropped its whole cache, every model. The worker stays known. */
  cleared(workerId: string): void;
  /** Drops every entry of the worker and the worker itself (it died or its events were lost). */
  forget(workerId: string): void;
  /**
   * For each candidate worker, how many of `blockHashes` it holds consecutively from index 0.
   * Candidates: `workerIds` when given and non-empty (unknown ids answer 0); otherwise every
   * worker holding at least one block of `model`. Sorted by matched blocks descending, then id.
   */
  match(model: string, blockHashes: readonly bigint[], workerIds?: readonly string[]): KvMatch[];
  stats(): KvIndexStats;
}

export interface KvMatch {
  readonly workerId: string;
  /** Consecutive prompt blocks from the first, 0..blockHashes.length. */
  readonly matchedBlocks: number;
}

export interface KvIndexStats {
  /** Distinct (model, block hash) entries held by at least one worker. */
  readonly blocksIndexed: number;
  /** Workers the index knows (seen in an event and not forgotten). */
  readonly workers: number;
}

/** Orders matches for answers: longest prefix first, then worker id, so answers are deterministic. */
export function compareMatches(a: KvMatch, b: KvMatch): number {
  if (a.matchedBlocks !== b.matchedBlocks) return b.matchedBlocks - a.matchedBlocks;
  return a.workerId < b.workerId ? -1 : a.workerId > b.workerId ? 1 : 0;
}
