import type { ControlBus } from './control-bus.js';
import { InProcessBus } from './in-process-bus.js';
import { NatsBus } from './nats/nats-bus.js';
import { NatsWorkerRegistry } from './nats/nats-worker-registry.js';
import type { WorkerRegistry } from './nats/worker-registry.js';

/** What a service process talks to: the bus, and (on NATS) the shared worker registry. */
export interface ControlPlane {
  bus: ControlBus;
  /** Undefined on the in-process bus: that profile lists the fleet over gRPC instead. */
  registry: WorkerRegistry | undefined;
  close(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** `nats://host:port[,…]`; undefined or '' for an in-process bus (one-process profile only). */
  natsUrl: string | undefined;
  /** Connection name, e.g. "scheduler". */
  name: string;
  /** Registry TTL, ms: a worker not heart-beaten this long leaves routing. */
  registryTtlMs?: number;
  onHandlerError: (err: unknown, subject: string) => void;
  onConnectionChange?: (connected: boolean) => void;
}

/**
 * Opens the control plane a service's `main.ts` is configured for: NATS (bus on core subjects,
 * registry in a JetStream KV bucket) when a URL is given, else an in-process bus. Rejects when
 * NATS is configured but unreachable at start, so a misconfigured process fails fast.
 */
export async function openControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  if (options.natsUrl === undefined || options.natsUrl === '') {
    const bus = new InProcessBus(options.onHandlerError);
    return { bus, registry: undefined, close: () => bus.close() };
  }
  const bus = await NatsBus.connect({
    servers: options.natsUrl.split(','),
    name: options.name,
    onHandlerError: options.onHandlerError,
    ...(options.onConnectionChange === undefined ? {} : { onConnectionChange: options.onConnectionChange }),
  });
  try {
    const registry = await NatsWorkerRegistry.open(bus.connection, options.registryTtlMs === undefined ? {} : { ttlMs: options.registryTtlMs });
    return { bus, registry, close: () => bus.close() };
  } catch (err) {
    await bus.close();
    throw err;
  }
}
