/**
 * The engine's only view of time. Behind gRPC it is the wall clock; in tests and what-if studies
 * it is a `VirtualClock` that jumps from timer to timer, so an hour of simulated serving runs in
 * milliseconds and every run is reproducible.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (origin unspecified). */
  now(): number;
  /** Runs `fn` once after `delayMs` (>= 0). */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

/** Opaque timer handle; only the clock that issued it understands it. */
export type TimerHandle = object;

/** Wall-clock time. Timers are unref'd so a lone engine never keeps a process alive. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(fn, delayMs) {
    const t = setTimeout(fn, Math.max(0, delayMs));
    t.unref();
    return t;
  },
  clearTimer(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

interface VirtualTimer {
  at: number;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Discrete-event time: nothing happens until the test advances it. Timers due at the same instant
 * fire in the order they were set. Timers set by a firing timer with delay 0 fire in the same
 * `advance` call.
 */
export class VirtualClock implements Clock {
  private time = 0;
  private order = 0;
  private readonly timers: VirtualTimer[] = [];

  now(): number {
    return this.time;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const timer: VirtualTimer = { at: this.time + Math.max(0, delayMs), order: this.order++, fn, cancelled: false };
    this.timers.push(timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    (handle as VirtualTimer).cancelled = true;
  }

  /** Number of timers still pending. */
  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Fires every timer due within the next `ms` milliseconds, then sets the time to now + ms. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let next = this.popDue(end); next !== undefined; next = this.popDue(end)) {
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }

  /**
   * Fires timers in time order until `done()` holds or no timer is left; throws after `maxMs` of
   * virtual time so a livelocked engine fails a test instead of hanging it.
   */
  runUntil(done: () => boolean, maxMs = 3_600_000): void {
    const limit = this.time + maxMs;
    while (!done()) {
      const next = this.popDue(limit);
      if (next === undefined) {
        if (this.pending() === 0) return;
        throw new Error(`virtual clock: condition not met within ${maxMs} ms`);
      }
      this.time = next.at;
      next.fn();
    }
  }

  private popDue(limit: number): VirtualTimer | undefined {
    let best = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i]!;
      if (t.cancelled || t.at > limit) continue;
      const b = best < 0 ? undefined : this.timers[best]!;
      if (b === undefined || t.at < b.at || (t.at === b.at && t.order < b.order)) best = i;
    }
    if (best < 0) {
      for (let i = this.timers.length - 1; i >= 0; i--) if (this.timers[i]!.cancelled) this.timers.splice(i, 1);
      return undefined;
    }
    return this.timers.splice(best, 1)[0];
  }
}
