import { engine } from '@infermesh/proto';
import { createClient } from '@infermesh/rpc';
import type { EngineClient, EngineClients } from './domain/ports.js';

/**
 * gRPC clients to workers, one per address. A worker that failed is dropped so that its
 * replacement (a new address) gets a fresh channel and the old one is closed.
 */
export class EngineClientPool implements EngineClients {
  private readonly clients = new Map<string, EngineClient>();

  get(address: string): EngineClient {
    let c = this.clients.get(address);
    if (c === undefined) {
      // Streams last as long as generation does; deadlines come from the request.
      c = createClient(engine.Engine, address, { name: `engine@${address}`, breaker: { volumeThreshold: 3 } });
      this.clients.set(address, c);
    }
    return c;
  }

  drop(address: string): void {
    this.clients.get(address)?.close();
    this.clients.delete(address);
  }

  closeAll(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
