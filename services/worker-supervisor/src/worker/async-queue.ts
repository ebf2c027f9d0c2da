import { resourceExhausted } from '@infermesh/errors';

/**
 * A push-to-pull bridge from engine callbacks to a gRPC response stream. Bounded: a consumer
 * that falls `limit` items behind gets RESOURCE_EXHAUSTED instead of growing memory without end
 * (for the event stream that means it must reconnect and take a fresh snapshot).
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;
  private failure: Error | undefined;

  constructor(private readonly limit = 100_000) {}

  push(item: T): void {
    if (this.ended) return;
    if (this.items.length >= this.limit) {
      this.fail(resourceExhausted('stream consumer fell too far behind'));
      return;
    }
    this.items.push(item);
    this.notify();
  }

  /** No more items; iteration ends after the queued ones. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** Ends iteration with `err` once queued items are consumed. */
  fail(err: Error): void {
    this.failure ??= err;
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }

  private notify(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }
}
