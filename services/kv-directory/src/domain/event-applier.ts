import type { KvIndex } from './kv-index.js';

/** One engine event as the applier needs it: the wire `engine.EngineEvent` reduced to plain data. */
export type KvEvent =
  | { readonly workerId: string; readonly sequence: bigint; readonly kind: 'stored'; readonly model: string; readonly blockHashes: readonly bigint[] }
  | { readonly workerId: string; readonly sequence: bigint; readonly kind: 'removed'; readonly model: string; readonly blockHashes: readonly bigint[] }
  | { readonly workerId: string; readonly sequence: bigint; readonly kind: 'cleared' }
  /** Load reports and unknown event kinds: they consume a sequence number and change nothing here. */
  | { readonly workerId: string; readonly sequence: bigint; readonly kind: 'other' };

/** Tuning of the applier. */
export interface ApplierOptions {
  /**
   * A worker with no event at all (KV event or load report) for this long is forgotten by
   * `forgetSilent`, ms; 0 never forgets on silence. Engines report load every second by default,
   * so a worker silent for many periods is dead or partitioned and its cache view is stale.
   */
  silenceTimeoutMs: number;
  /** Clock for silence, ms (injected so tests and the simulator can drive it). */
  now: () => number;
}

export interface ApplierStats {
  /** KV events (stored, removed, cleared) applied to the index. */
  readonly eventsApplied: number;
  /** Workers reset because their sequence had a gap. */
  readonly resyncs: number;
  /** Events dropped as duplicates or older than the last applied one. */
  readonly duplicates: number;
  /** Workers forgotten because they were silent past the timeout. */
  readonly silenced: number;
}

/**
 * Applies engine events to a KvIndex in per-worker sequence order.
 *
 * - A sequence at or below the worker's last one is a duplicate (or a late redelivery): ignored.
 * - A sequence above last + 1 means events were lost (the control bus is at-most-once). The
 *   worker's entries are dropped and it is re-learned from this event on, counted as a resync.
 *   We choose forgetting over keeping a possibly stale view: a lost `removed` would make the
 *   scheduler route to a worker for blocks it no longer has, which costs a full prefill on a
 *   worker picked for the wrong reason, while forgetting only costs the cache-hit bonus until
 *   the worker stores blocks again.
 * - The first event seen from a worker sets its baseline whatever its sequence: a directory that
 *   starts after the engine has nothing stale to drop, so that is not a resync.
 * - A worker that restarts under the same id starts again at sequence 1; the supervisor reports
 *   the old one DEAD first, and `forget` resets its sequence so the new run is accepted.
 * - Any event, even a duplicate, proves the worker alive. `forgetSilent` (called periodically by
 *   the service) forgets workers not heard from for `silenceTimeoutMs`, sequence included.
 */
export class EventApplier {
  private readonly last = new Map<string, bigint>();
  private applied = 0;
  private resyncCount = 0;
  private duplicateCount = 0;
  private silencedCount = 0;
  private readonly heard = new Map<string, number>();
  private readonly options: ApplierOptions;

  constructor(
    private readonly index: KvIndex,
    options: Partial<ApplierOptions> = {},
  ) {
    this.options = { silenceTimeoutMs: options.silenceTimeoutMs ?? 0, now: options.now ?? Date.now };
  }

  /** Returns true when the event was applied (false for a duplicate). */
  apply(event: KvEvent): boolean {
    if (this.options.silenceTimeoutMs > 0) {
      this.heard.delete(event.workerId);
      this.heard.set(event.workerId, this.options.now());
    }
    const last = this.last.get(event.workerId);
    if (last !== undefined) {
      if (event.sequence <= last) {
        this.duplicateCount++;
        return false;
      }
      if (event.sequence > last + 1n) {
        this.index.forget(event.workerId);
        this.resyncCount++;
      }
    }
    this.last.set(event.workerId, event.sequence);
    switch (event.kind) {
      case 'stored':
        this.index.stored(event.workerId, event.model, event.blockHashes);
        break;
      case 'removed':
        this.index.removed(event.workerId, event.model, event.blockHashes);
        break;
      case 'cleared':
        this.index.cleared(event.workerId);
        break;
      case 'other':
        return true;
      default:
        return exhaustive(event);
    }
    this.applied++;
    return true;
  }

  /** Forgets the worker's blocks and its sequence (it died, or was removed from the fleet). */
  forget(workerId: string): void {
    this.index.forget(workerId);
    this.last.delete(workerId);
    this.heard.delete(workerId);
  }

  /**
   * Forgets every worker (the event source was away, so every view may miss events); returns
   * their ids. Each is re-learned from its next event on, as after a gap.
   */
  forgetAll(): string[] {
    const out = [...this.last.keys()];
    for (const workerId of out) this.forget(workerId);
    return out;
  }

  /**
   * Forgets every worker silent for longer than the timeout; returns their ids. O(forgotten):
   * `heard` is kept in last-heard order (re-inserted on every event), so the scan stops at the
   * first worker still fresh.
   */
  forgetSilent(): string[] {
    const out: string[] = [];
    if (this.options.silenceTimeoutMs <= 0) return out;
    const cutoff = this.options.now() - this.options.silenceTimeoutMs;
    for (const [workerId, at] of this.heard) {
      if (at >= cutoff) break;
      out.push(workerId);
    }
    for (const workerId of out) this.forget(workerId);
    this.silencedCount += out.length;
    return out;
  }

  stats(): ApplierStats {
    return { eventsApplied: this.applied, resyncs: this.resyncCount, duplicates: this.duplicateCount, silenced: this.silencedCount };
  }
}

function exhaustive(event: never): never {
  throw new Error(`unhandled KV event ${JSON.stringify(event)}`);
}
