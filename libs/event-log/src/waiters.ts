interface Waiter {
  nextOffset: bigint;
  done: () => void;
}

/**
 * Readers parked until the log grows. Shared by the log implementations so that wake-up,
 * timeout and abort behave the same everywhere: `wait` resolves, never rejects.
 */
export class AppendWaiters {
  private readonly waiters = new Set<Waiter>();

  wait(nextOffset: bigint, end: bigint, signal: AbortSignal, timeoutMs: number): Promise<void> {
    if (end > nextOffset || signal.aborted || timeoutMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => waiter.done(), timeoutMs);
      const onAbort = (): void => waiter.done();
      const waiter: Waiter = {
        nextOffset,
        done: () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          this.waiters.delete(waiter);
          resolve();
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /** Wakes every waiter whose record now exists (`end` = the log's new end offset). */
  notify(end: bigint): void {
    for (const w of [...this.waiters]) if (end > w.nextOffset) w.done();
  }

  /** Wakes everyone (the log is closing). */
  wakeAll(): void {
    for (const w of [...this.waiters]) w.done();
  }
}
