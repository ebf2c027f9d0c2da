import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { ControlBus, Subscription } from '../control-bus.js';

export interface NatsBusOptions {
  /** `nats://host:port`, one or more. */
  servers: string | string[];
  /** Connection name shown by the server's monitoring (e.g. "scheduler/ab12"). */
  name: string;
  /** Wait between reconnect attempts, ms. The client reconnects forever. */
  reconnectWaitMs: number;
  /** Client-to-server pings; two missed pings mark the connection stale, ms. */
  pingIntervalMs: number;
  /** A throwing handler is reported here, never to the publisher. */
  onHandlerError: (err: unknown, subject: string) => void;
  /** Told when the connection goes away (false) and comes back (true). */
  onConnectionChange: (connected: boolean) => void;
}

export function defaultNatsBusOptions(): Omit<NatsBusOptions, 'servers'> {
  return { name: 'infermesh', reconnectWaitMs: 250, pingIntervalMs: 5000, onHandlerError: () => {}, onConnectionChange: () => {} };
}

/**
 * The control-bus port on NATS core subjects. Same contract as `InProcessBus`: at most once, a
 * subscriber misses what was published while it was away. While the connection is down,
 * `publish` drops the message instead of buffering it: a load report or KV event replayed late
 * is worse than none (consumers fall back to load-only routing and resynchronise on sequence
 * gaps). The client reconnects by itself and re-establishes every subscription.
 */
export class NatsBus implements ControlBus {
  private connected = true;
  private closed = false;
  private readonly listeners = new Set<(connected: boolean) => void>();

  private constructor(
    /** The underlying connection, shared with `NatsWorkerRegistry`; owned by this bus. */
    readonly connection: NatsConnection,
    private readonly opts: NatsBusOptions,
  ) {
    void this.watchStatus();
  }

  /** Connects; rejects (UNAVAILABLE-worthy) when no server answers now. */
  static async connect(options: Pick<NatsBusOptions, 'servers'> & Partial<NatsBusOptions>): Promise<NatsBus> {
    const opts = { ...defaultNatsBusOptions(), ...options };
    const nc = await connect({
      servers: opts.servers,
      name: opts.name,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: opts.reconnectWaitMs,
      reconnectJitter: 50,
      pingInterval: opts.pingIntervalMs,
      maxPingOut: 2,
    });
    return new NatsBus(nc, opts);
  }

  /** False between a disconnect and the reconnect that follows it. */
  isConnected(): boolean {
    return this.connected && !this.closed;
  }

  onConnectionChange(listener: (connected: boolean) => void): Subscription {
    this.listeners.add(listener);
    return { unsubscribe: () => void this.listeners.delete(listener) };
  }

  publish(subject: string, data: Uint8Array): void {
    if (!this.isConnected()) return;
    try {
      this.connection.publish(subject, data);
    } catch {
      // Closed or disconnected between the check and the call: dropped, as documented.
    }
  }

  subscribe(subject: string, handler: (data: Uint8Array, subject: string) => void): Subscription {
    const sub = this.connection.subscribe(subject, {
      callback: (err, msg) => {
        if (err !== null) return;
        try {
          handler(msg.data, msg.subject);
        } catch (e) {
          this.opts.onHandlerError(e, msg.subject);
        }
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }

  /** Flushes what was published, then closes the connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.connection.drain().catch(() => this.connection.close());
  }

  private async watchStatus(): Promise<void> {
    for await (const s of this.connection.status()) {
      if (s.type === 'disconnect' && this.connected) this.setConnected(false);
      else if (s.type === 'reconnect' && !this.connected) this.setConnected(true);
    }
  }

  private setConnected(value: boolean): void {
    this.connected = value;
    for (const listener of [(v: boolean) => this.opts.onConnectionChange(v), ...this.listeners]) {
      try {
        listener(value);
      } catch {
        // A listener must not stop status tracking.
      }
    }
  }
}
