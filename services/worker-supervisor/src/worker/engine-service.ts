import type { MessageInitShape } from '@bufbuild/protobuf';
import type { engine as wire } from '@infermesh/proto';
import { common } from '@infermesh/proto';
import type { CallContext, ServiceImpl } from '@infermesh/rpc';
import type { EngineEvent, SimEngine, SequenceResult } from '../engine/index.js';
import { AsyncQueue } from './async-queue.js';

type GenerateResponse = MessageInitShape<typeof wire.EngineGenerateResponseSchema>;
type WatchResponse = MessageInitShape<typeof wire.WatchEventsResponseSchema>;
type EventInit = MessageInitShape<typeof wire.EngineEventSchema>;

const FINISH: Record<SequenceResult['finishReason'], common.FinishReason> = {
  length: common.FinishReason.LENGTH,
  cancelled: common.FinishReason.CANCELLED,
};

/**
 * The engine.v1 Engine service over a SimEngine: translates wire messages to engine calls and
 * engine callbacks to stream messages. A cancelled Generate call aborts its sequence; a closed
 * WatchEvents call unsubscribes.
 */
export function engineService(engine: SimEngine): ServiceImpl<typeof wire.Engine> {
  /** Running Generate calls by request id, for Cancel. */
  const running = new Map<string, () => void>();
  return {
    async *generate(req, ctx: CallContext) {
      const queue = new AsyncQueue<GenerateResponse>();
      const handle = engine.submit(
        {
          model: req.model,
          promptTokenIds: req.promptTokenIds,
          maxTokens: req.maxTokens,
          cacheSalt: req.cacheSalt,
          seed: req.seed,
        },
        {
          onStarted: (cachedPromptTokens) => queue.push({ event: { case: 'started', value: { cachedPromptTokens } } }),
          onTokens: (tokenIds) => queue.push({ event: { case: 'tokens', value: { tokenIds: [...tokenIds] } } }),
          onFinished: (r) => {
            queue.push({
              event: {
                case: 'finished',
                value: {
                  finishReason: FINISH[r.finishReason],
                  promptTokens: r.promptTokens,
                  cachedPromptTokens: r.cachedPromptTokens,
                  completionTokens: r.completionTokens,
                  preemptions: r.preemptions,
                },
              },
            });
            queue.end();
          },
        },
      );
      const abort = (): void => handle.abort();
      ctx.signal.addEventListener('abort', abort, { once: true });
      if (req.requestId !== '') running.set(req.requestId, abort);
      try {
        yield* queue;
      } finally {
        ctx.signal.removeEventListener('abort', abort);
        if (running.get(req.requestId) === abort) running.delete(req.requestId);
        handle.abort();
      }
    },

    async cancel(req) {
      const abort = running.get(req.requestId);
      abort?.();
      return { cancelled: abort !== undefined };
    },

    async *watchEvents(_req, ctx: CallContext) {
      const workerId = engine.info().workerId;
      const queue = new AsyncQueue<WatchResponse>(10_000);
      const end = (): void => queue.end();
      ctx.signal.addEventListener('abort', end, { once: true });
      const unwatch = engine.watch((batch) => queue.push(toWatchResponse(workerId, batch)));
      try {
        yield* queue;
      } finally {
        unwatch();
        ctx.signal.removeEventListener('abort', end);
      }
    },

    async getInfo() {
      return engine.info();
    },
  };
}

/** One engine step's events as the wire batch. */
export function toWatchResponse(workerId: string, batch: readonly EngineEvent[]): WatchResponse {
  return {
    events: batch.map((e): EventInit => {
      const base = { workerId, sequence: BigInt(e.sequence) };
      switch (e.kind) {
        case 'stored':
          return { ...base, event: { case: 'stored', value: { model: e.model, blockHashes: e.blockHashes, parentHash: e.parentHash } } };
        case 'removed':
          return { ...base, event: { case: 'removed', value: { model: e.model, blockHashes: e.blockHashes } } };
        case 'allCleared':
          return { ...base, event: { case: 'allCleared', value: {} } };
        case 'load': {
          const { running, waiting, kvBlocksUsed, kvBlocksTotal, tokensPerSecond } = e;
          return { ...base, event: { case: 'load', value: { running, waiting, kvBlocksUsed, kvBlocksTotal, tokensPerSecond } } };
        }
        default: {
          const never: never = e;
          throw new Error(`unknown engine event ${JSON.stringify(never)}`);
        }
      }
    }),
  };
}
