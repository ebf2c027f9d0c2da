import type { Clock, TimerHandle } from '@infermesh/worker-supervisor';

interface Timer {
  at: number;
  order: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * Discrete-event time for a whole fleet: the same contract as the engine's VirtualClock (timers due
 * at the same instant fire in the order they were set), on a binary heap so that thousands of
 * pending arrivals and a timer per engine cost O(log n) per event instead of a linear scan.
 * Nothing happens until `fireNext` is called; time jumps from timer to timer.
 */
export class SimClock implements Clock {
  private time = 0;
  private order = 0;
  private readonly heap: Timer[] = [];

  now(): number {
    return this.time;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const t: Timer = { at: this.time + Math.max(0, delayMs), order: this.order++, fn, cancelled: false };
    this.push(t);
    return t;
  }

  clearTimer(handle: TimerHandle): void {
    (handle as Timer).cancelled = true;
  }

  /** Virtual time of the next live timer, or undefined when none is left. */
  peek(): number | undefined {
    this.dropCancelled();
    return this.heap[0]?.at;
  }

  /** Fires the earliest live timer (advancing time to it); false when none is left. */
  fireNext(): boolean {
    this.dropCancelled();
    const t = this.pop();
    if (t === undefined) return false;
    this.time = t.at;
    t.fn();
    return true;
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.order < b.order);
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
