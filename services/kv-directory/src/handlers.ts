import { invalidArgument } from '@infermesh/errors';
import type { kv } from '@infermesh/proto';
import type { ServiceImpl } from '@infermesh/rpc';
import type { EventApplier } from './domain/event-applier.js';
import type { KvIndex } from './domain/kv-index.js';

/** The KvDirectory gRPC handlers: wire messages in, domain calls, wire messages out. */
export function kvDirectoryHandlers(index: KvIndex, applier: EventApplier, maxMatchBlocks: number): ServiceImpl<typeof kv.KvDirectory> {
  return {
    match(req) {
      if (req.model === '') throw invalidArgument('model is required', 'model');
      if (req.blockHashes.length > maxMatchBlocks) {
        throw invalidArgument(`block_hashes has ${req.blockHashes.length} blocks; at most ${maxMatchBlocks} are accepted`, 'block_hashes');
      }
      return { matches: index.match(req.model, req.blockHashes, req.workerIds) };
    },
    getStats() {
      const i = index.stats();
      const a = applier.stats();
      return {
        blocksIndexed: BigInt(i.blocksIndexed),
        workers: i.workers,
        eventsApplied: BigInt(a.eventsApplied),
        resyncs: BigInt(a.resyncs),
      };
    },
  };
}
