import { subjectMatches, type ControlBus, type Subscription } from './control-bus.js';

/**
 * The embedded control bus: synchronous fan-out inside one process. A throwing handler is
 * isolated (reported through `onHandlerError`) so one bad subscriber cannot starve the others.
 */
export class InProcessBus implements ControlBus {
  private readonly subs = new Set<{ pattern: string; handler: (data: Uint8Array, subject: string) => void }>();
  private closed = false;

  constructor(private readonly onHandlerError: (err: unknown, subject: string) => void = () => {}) {}

  publish(subject: string, data: Uint8Array): void {
    if (this.closed) return;
    for (const sub of this.subs) {
      if (!subjectMatches(sub.pattern, subject)) continue;
      try {
        sub.handler(data, subject);
      } catch (err) {
        this.onHandlerError(err, subject);
      }
    }
  }

  subscribe(subject: string, handler: (data: Uint8Array, subject: string) => void): Subscription {
    const sub = { pattern: subject, handler };
    this.subs.add(sub);
    return { unsubscribe: () => void this.subs.delete(sub) };
  }

  isConnected(): boolean {
    return !this.closed;
  }

  /** An in-process bus never drops out; the listener is never called. */
  onConnectionChange(): Subscription {
    return { unsubscribe: () => {} };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subs.clear();
  }
}
