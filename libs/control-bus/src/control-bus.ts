/**
 * The control-bus port: high-rate, short-lived signals (KV-cache events, load heartbeats, fleet
 * changes, cancellations). At-most-once delivery: a subscriber that was away misses what was
 * published meanwhile, so consumers must tolerate gaps (KV events carry per-worker sequence
 * numbers for exactly that reason). Durable business events go to the event log instead.
 *
 * Subjects follow NATS conventions: dot-separated tokens; `*` matches one token, `>` the rest.
 */
export interface ControlBus {
  publish(subject: string, data: Uint8Array): void;
  /** The handler runs synchronously on publish for the in-process bus; it must not throw. */
  subscribe(subject: string, handler: (data: Uint8Array, subject: string) => void): Subscription;
  /**
   * False while the bus is away (a NATS connection between a disconnect and its reconnect):
   * what is published meanwhile is lost, so state built from the bus is stale. Always true for
   * the in-process bus until closed.
   */
  isConnected(): boolean;
  /** Calls `listener(false)` when the bus goes away and `listener(true)` when it is back. */
  onConnectionChange(listener: (connected: boolean) => void): Subscription;
  close(): Promise<void>;
}

export interface Subscription {
  unsubscribe(): void;
}

/** The subjects of the mesh, in one place. */
export const Subjects = {
  /** A batch of `infermesh.worker.v1.WatchEventsResponse` (KV events and load) from one worker. */
  workerEvents: (workerId: string): string => `infermesh.worker.v1.events.${workerId}`,
  workerEventsAll: 'infermesh.worker.v1.events.*',
  /**
   * `infermesh.worker.v1.EngineCancelRequest` for one worker: its supervisor asks the engine to
   * abort that request's sequence (the stream's own cancellation may not arrive).
   */
  workerCancel: (workerId: string): string => `infermesh.worker.v1.cancel.${workerId}`,
  workerCancelAll: 'infermesh.worker.v1.cancel.*',
  /** `infermesh.worker.v1.FleetChange`: a worker registered, changed state or was removed. */
  fleet: 'infermesh.worker.v1.fleet',
} as const;

/** True when a NATS-style subject pattern matches a concrete subject. */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    if (i >= s.length) return false;
    if (token !== '*' && token !== s[i]) return false;
  }
  return p.length === s.length;
}
