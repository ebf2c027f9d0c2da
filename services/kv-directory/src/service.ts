import type { ControlBus } from '@infermesh/control-bus';
import { kv } from '@infermesh/proto';
import { createServer, type RunningService } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import { subscribeKvDirectory } from './consumer.js';
import { CompactKvIndex } from './domain/compact-kv-index.js';
import { EventApplier } from './domain/event-applier.js';
import { kvDirectoryHandlers } from './handlers.js';
import { validateKvDirectoryOptions, type KvDirectoryOptions } from './options.js';

export interface KvDirectoryDeps {
  /** Source of worker KV events and fleet changes. Owned by the caller: stop() unsubscribes, never closes it. */
  bus: ControlBus;
  logger: Logger;
}

/**
 * Starts the kv-directory: an empty index fed from the bus, served over gRPC. The index is
 * memory only; after a restart it re-learns from new events (engines' WatchEvents snapshots,
 * relayed by the supervisor, are the way to warm it faster).
 */
export async function startKvDirectory(options: KvDirectoryOptions, deps: KvDirectoryDeps): Promise<RunningService> {
  const opts = validateKvDirectoryOptions(options);
  const logger = deps.logger.child({ component: 'kv-directory' });
  const index = new CompactKvIndex();
  const applier = new EventApplier(index, { silenceTimeoutMs: opts.workerSilenceTimeoutMs });
  const subscription = subscribeKvDirectory(deps.bus, applier, logger);
  // While the bus is away events are lost: serving the old view would route on blocks that may be
  // gone. Forget everything and re-learn from the events that follow the reconnect.
  const connection = deps.bus.onConnectionChange((connected) => {
    if (connected) logger.info('control bus back; re-learning worker caches from new events');
    else logger.warn({ forgotten: applier.forgetAll().length }, 'control bus lost; forgot every worker cache view');
  });
  const silenceTimer = opts.workerSilenceTimeoutMs > 0 ? setInterval(() => forgetSilent(applier, logger), Math.max(10, opts.workerSilenceTimeoutMs / 4)) : undefined;
  silenceTimer?.unref();
  const server = createServer({ name: 'kv-directory', host: opts.host, port: opts.port, logger });
  server.add(kv.KvDirectory, kvDirectoryHandlers(index, applier, opts.maxMatchBlocks));
  let address: string;
  try {
    ({ address } = await server.start());
  } catch (err) {
    clearInterval(silenceTimer);
    subscription.unsubscribe();
    connection.unsubscribe();
    throw err;
  }
  logger.info({ address }, 'kv-directory listening');
  return {
    name: 'kv-directory',
    address,
    async stop(graceMs = opts.shutdownGraceMs) {
      clearInterval(silenceTimer);
      subscription.unsubscribe();
      connection.unsubscribe();
      await server.shutdown(graceMs);
    },
  };
}

function forgetSilent(applier: EventApplier, logger: Logger): void {
  for (const workerId of applier.forgetSilent()) logger.info({ worker_id: workerId }, 'forgot silent worker');
}
