import { engine as wire } from '@infermesh/proto';
import { createServer, type RunningService } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import { defaultEngineOptions, realClock, SimEngine, type Clock } from '../engine/index.js';
import { engineService } from './engine-service.js';

/** One worker: a simulated engine behind its own gRPC server. */
export interface WorkerOptions {
  workerId: string;
  gpu: string;
  maxNumSeqs: number;
  kvBlocks: number;
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Load report period on WatchEvents, ms. */
  loadReportIntervalMs: number;
}

/** One worker with the engine defaults, on 127.0.0.1 with an ephemeral port. */
export function defaultWorkerOptions(): WorkerOptions {
  const e = defaultEngineOptions();
  return {
    workerId: e.workerId,
    gpu: e.gpu,
    maxNumSeqs: e.maxNumSeqs,
    kvBlocks: e.kvBlocks,
    host: '127.0.0.1',
    port: 0,
    loadReportIntervalMs: e.loadReportIntervalMs,
  };
}

/** A started worker; `port` is the bound one (useful when asked for 0). */
export type RunningWorker = RunningService & { port: number; engine: SimEngine };

/**
 * Starts an engine in real time (or on `deps.clock`) behind an engine.v1 Engine server. Stopping
 * drains calls for up to graceMs, then cancels every sequence.
 */
export async function startWorker(options: WorkerOptions, deps: { logger: Logger; clock?: Clock }): Promise<RunningWorker> {
  const engine = new SimEngine(
    {
      ...defaultEngineOptions(),
      workerId: options.workerId,
      gpu: options.gpu,
      maxNumSeqs: options.maxNumSeqs,
      kvBlocks: options.kvBlocks,
      loadReportIntervalMs: options.loadReportIntervalMs,
    },
    deps.clock ?? realClock,
  );
  const server = createServer({ name: `engine ${options.workerId}`, host: options.host, port: options.port, logger: deps.logger });
  server.add(wire.Engine, engineService(engine));
  const { address, port } = await server.start();
  return {
    name: `worker ${options.workerId}`,
    address,
    port,
    engine,
    async stop(graceMs = 2000) {
      await server.shutdown(graceMs);
      engine.close();
    },
  };
}
