import type { Subscription } from '../control-bus.js';

/**
 * Which workers exist right now, for routing. A worker is registered by `put` and stays only
 * while it keeps re-putting (a heartbeat) within the registry's TTL, so a worker that vanishes
 * without deregistering disappears on its own. Values are opaque bytes (the caller's protobuf).
 */
export interface WorkerRegistry {
  /** Registers or refreshes `workerId` (letters, digits, `-_=.`); its TTL restarts. */
  put(workerId: string, info: Uint8Array): Promise<void>;
  /** Deregisters at once (graceful drain). No error when absent. */
  remove(workerId: string): Promise<void>;
  /** The live entry, or undefined when absent or expired. */
  get(workerId: string): Promise<Uint8Array | undefined>;
  /** Every live worker. */
  list(): Promise<Map<string, Uint8Array>>;
  /**
   * Calls `handler` for each later change: bytes on put, undefined on remove or expiry (expiry
   * is reported only by servers with delete markers, nats-server 2.11+; `list` is always exact).
   */
  watch(handler: (workerId: string, info: Uint8Array | undefined) => void): Promise<Subscription>;
}
