/** What the engine tells watchers about its cache and load (wire: engine.v1 EngineEvent). */
export type EngineEventBody =
  /** Full blocks that became reusable, in chain order; `parentHash` 0n for a root block. */
  | { kind: 'stored'; model: string; blockHashes: bigint[]; parentHash: bigint }
  | { kind: 'removed'; model: string; blockHashes: bigint[] }
  | { kind: 'allCleared' }
  | {
      kind: 'load';
      running: number;
      waiting: number;
      kvBlocksUsed: number;
      kvBlocksTotal: number;
      tokensPerSecond: number;
    };

/** An event with its per-engine sequence number (1, 2, 3, ... with no gaps). */
export type EngineEvent = EngineEventBody & { sequence: number };

/** Receives one batch of events (those of one engine step), in sequence order. */
export type EventWatcher = (batch: readonly EngineEvent[]) => void;

/**
 * Collects the events of one step, merging adjacent ones where the wire allows (a stored chain
 * continued by its next block, consecutive removals of one model), then numbers and delivers
 * them as one batch. Numbers are assigned at flush whether or not anyone watches, so a watcher
 * that joins later can tell it missed events.
 */
export class EventRecorder {
  private pending: EngineEventBody[] = [];
  private readonly watchers = new Set<EventWatcher>();
  private last = 0;

  /** Sequence number of the last event flushed (0 before any). */
  lastSequence(): number {
    return this.last;
  }

  stored(model: string, hash: bigint, parentHash: bigint): void {
    const prev = this.pending.at(-1);
    if (prev?.kind === 'stored' && prev.model === model && prev.blockHashes.at(-1) === parentHash) {
      prev.blockHashes.push(hash);
      return;
    }
    this.pending.push({ kind: 'stored', model, blockHashes: [hash], parentHash });
  }

  removed(model: string, hash: bigint): void {
    const prev = this.pending.at(-1);
    if (prev?.kind === 'removed' && prev.model === model) {
      prev.blockHashes.push(hash);
      return;
    }
    this.pending.push({ kind: 'removed', model, blockHashes: [hash] });
  }

  /** Queues `event`, which becomes this recorder's: it is numbered in place at flush. */
  push(event: EngineEventBody): void {
    this.pending.push(event);
  }

  /** Numbers the pending events and hands them to every watcher as one batch. */
  flush(): void {
    if (this.pending.length === 0) return;
    // The pending events are this recorder's own objects: numbered in place, handed over as the batch.
    const batch = this.pending as EngineEvent[];
    for (const e of batch) e.sequence = ++this.last;
    this.pending = [];
    for (const w of this.watchers) {
      try {
        w(batch);
      } catch {
        // A failing watcher must not stall the engine; it is that watcher's loss.
      }
    }
  }

  watcherCount(): number {
    return this.watchers.size;
  }

  watch(watcher: EventWatcher): () => void {
    this.watchers.add(watcher);
    return () => void this.watchers.delete(watcher);
  }
}
