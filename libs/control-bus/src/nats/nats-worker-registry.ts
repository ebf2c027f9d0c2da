import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Subscription } from '../control-bus.js';
import type { WorkerRegistry } from './worker-registry.js';

export interface NatsWorkerRegistryOptions {
  /** JetStream key-value bucket (file storage, one value per key). */
  bucket: string;
  /** A worker not re-put within this many ms expires, ms (server-enforced max age). */
  ttlMs: number;
}

export function defaultNatsWorkerRegistryOptions(): NatsWorkerRegistryOptions {
  return { bucket: 'infermesh-workers', ttlMs: 15_000 };
}

/**
 * `WorkerRegistry` in a JetStream KV bucket whose max age is the TTL. On nats-server 2.11+ the
 * bucket also gets delete markers (`markerTTL`), so watchers see expiries; older servers (Debian's
 * 2.9) expire entries silently. The bucket's settings are fixed by whoever creates it first.
 */
export class NatsWorkerRegistry implements WorkerRegistry {
  private constructor(private readonly kv: KV) {}

  static async open(connection: NatsConnection, options: Partial<NatsWorkerRegistryOptions> = {}): Promise<NatsWorkerRegistry> {
    const opts = { ...defaultNatsWorkerRegistryOptions(), ...options };
    const markers = serverAtLeast(connection.info?.version ?? '0.0.0', 2, 11);
    const kv = await new Kvm(connection).create(opts.bucket, { history: 1, ttl: opts.ttlMs, ...(markers ? { markerTTL: opts.ttlMs } : {}) });
    return new NatsWorkerRegistry(kv);
  }

  async put(workerId: string, info: Uint8Array): Promise<void> {
    await this.kv.put(workerId, info);
  }

  async remove(workerId: string): Promise<void> {
    await this.kv.delete(workerId);
  }

  async get(workerId: string): Promise<Uint8Array | undefined> {
    const e = await this.kv.get(workerId);
    return e === null || e.operation !== 'PUT' ? undefined : e.value;
  }

  async list(): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    for await (const key of await this.kv.keys()) {
      const v = await this.get(key);
      if (v !== undefined) out.set(key, v);
    }
    return out;
  }

  async watch(handler: (workerId: string, info: Uint8Array | undefined) => void): Promise<Subscription> {
    const it = await this.kv.watch({ include: 'updates' });
    void (async () => {
      for await (const e of it) {
        try {
          handler(e.key, e.operation === 'PUT' ? e.value : undefined);
        } catch {
          // A failing handler must not end the watch.
        }
      }
    })();
    return { unsubscribe: () => it.stop() };
  }
}

function serverAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}
