import type { EventDraft } from '@infermesh/event-log';
import type { CallContext, Client } from '@infermesh/rpc';
import type { engine, scheduler, tokenizer } from '@infermesh/proto';

/**
 * What the generation domain needs from the rest of the mesh. The implementations are the
 * typed gRPC clients (whose messages are plain data); tests can pass real servers' clients.
 */
export type TokenizerClient = Client<typeof tokenizer.Tokenizer>;
export type SchedulerClient = Client<typeof scheduler.Scheduler>;
export type EngineClient = Client<typeof engine.Engine>;

/** One client per worker address, created on first use and dropped when the worker fails. */
export interface EngineClients {
  get(address: string): EngineClient;
  drop(address: string): void;
}

export type { EventDraft };

/**
 * Appends events durably, in call order; resolves once they are on disk. The event log's
 * `Producer` is the implementation (it seals id, time, sequence and hash chain).
 */
export interface EventSink {
  append(drafts: readonly EventDraft[]): Promise<unknown>;
}

/**
 * Tells the worker's control plane that a placed request was cancelled, besides ending its engine
 * stream (which may not reach the engine when the connection is stuck). Fire and forget: the
 * stream's cancellation stays the primary path. The control bus is the implementation.
 */
export type CancelNotifier = (workerId: string, requestId: string, reason: 'client_cancelled' | 'deadline_exceeded') => void;

/** The request-scoped context: for gRPC the incoming call's, for HTTP one built by the HTTP layer. */
export type RequestScope = CallContext;
