import { kv } from '@infermesh/proto';
import { createClient, type BreakerOptions, type BreakerState, type Client } from '@infermesh/rpc';
import type { KvMatcher, KvMatchQuery } from '../domain/ports.js';

export interface GrpcKvMatcherOptions {
  /** Per-call deadline, ms: routing must not wait long for a hint (default 250). */
  timeoutMs: number;
  breaker?: Partial<BreakerOptions>;
}

/**
 * KvMatcher over the kv-directory's gRPC Match. Errors (deadline, UNAVAILABLE, open breaker)
 * reject as MeshError; the scheduler treats any rejection as "route by load".
 */
export class GrpcKvMatcher implements KvMatcher {
  private readonly client: Client<typeof kv.KvDirectory>;

  constructor(address: string, private readonly options: GrpcKvMatcherOptions) {
    this.client = createClient(kv.KvDirectory, address, {
      name: 'kv-directory',
      timeoutMs: options.timeoutMs,
      ...(options.breaker === undefined ? {} : { breaker: options.breaker }),
    });
  }

  async match(query: KvMatchQuery, signal?: AbortSignal): Promise<ReadonlyMap<string, number>> {
    const res = await this.client.match(
      { model: query.model, blockHashes: [...query.blockHashes], workerIds: [...query.workerIds] },
      signal === undefined ? { timeoutMs: this.options.timeoutMs } : { timeoutMs: this.options.timeoutMs, signal },
    );
    return new Map(res.matches.map((m) => [m.workerId, m.matchedBlocks]));
  }

  breakerState(): BreakerState {
    return this.client.breakerState();
  }

  close(): void {
    this.client.close();
  }
}
