import { fromBinary } from '@bufbuild/protobuf';
import type { Subscription, WorkerRegistry } from '@infermesh/control-bus';
import { supervisor } from '@infermesh/proto';
import type { WorkerInfo, WorkerSource } from '../domain/ports.js';
import { toWorkerInfo } from './grpc-worker-source.js';

/**
 * WorkerSource over the shared worker registry (values: serialized `supervisor.v1.Worker`). Only
 * live entries are listed, so a worker whose supervisor stopped heart-beating leaves routing when
 * its TTL runs out. An undecodable entry is skipped, never routed to.
 */
export class RegistryWorkerSource implements WorkerSource {
  constructor(private readonly registry: WorkerRegistry) {}

  async list(): Promise<WorkerInfo[]> {
    const out: WorkerInfo[] = [];
    for (const bytes of (await this.registry.list()).values()) {
      try {
        out.push(toWorkerInfo(fromBinary(supervisor.WorkerSchema, bytes)));
      } catch {
        // Written by a newer or broken producer: not routable.
      }
    }
    return out;
  }

  /** Calls `onChange` on every put, removal or expiry the registry reports. */
  watch(onChange: () => void): Promise<Subscription> {
    return this.registry.watch(() => onChange());
  }
}
