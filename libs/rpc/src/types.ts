import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type { Logger } from '@infermesh/telemetry';
import type { SpanContext } from '@opentelemetry/api';

/** What a handler knows about the call it serves. Owned by the rpc layer; valid until the call ends. */
export interface CallContext {
  /** Aborts when the client cancels, the deadline passes or the server shuts down. */
  readonly signal: AbortSignal;
  /** The caller's deadline, if it set one. Outgoing calls made with `parent: ctx` inherit it. */
  readonly deadline: Date | undefined;
  /** `x-request-id` from the caller, or a new id. */
  readonly requestId: string;
  readonly traceId: string;
  readonly spanContext: SpanContext;
  /** A child logger carrying request_id and trace_id. */
  readonly logger: Logger;
  /** A request header (gRPC metadata), lower-case key; undefined when absent. */
  header(key: string): string | undefined;
  /** Sets a response header; for streaming calls only before the first message. */
  setHeader(key: string, value: string): void;
}

type Unary<I extends DescMessage, O extends DescMessage> = (req: MessageShape<I>, ctx: CallContext) => Promise<MessageInitShape<O>> | MessageInitShape<O>;
type ServerStream<I extends DescMessage, O extends DescMessage> = (req: MessageShape<I>, ctx: CallContext) => AsyncIterable<MessageInitShape<O>>;
type ClientStream<I extends DescMessage, O extends DescMessage> = (reqs: AsyncIterable<MessageShape<I>>, ctx: CallContext) => Promise<MessageInitShape<O>>;
type Bidi<I extends DescMessage, O extends DescMessage> = (reqs: AsyncIterable<MessageShape<I>>, ctx: CallContext) => AsyncIterable<MessageInitShape<O>>;

type MethodImpl<M> = M extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? Unary<I, O>
  : M extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? ServerStream<I, O>
    : M extends { methodKind: 'client_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? ClientStream<I, O>
      : M extends { methodKind: 'bidi_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
        ? Bidi<I, O>
        : never;

/** A service implementation: one handler per method, keyed by the method's localName. */
export type ServiceImpl<S> = S extends GenService<infer T extends GenServiceMethods> ? { [K in keyof T]: MethodImpl<T[K]> } : never;

/** Options of one outgoing call. */
export interface CallOptions {
  /** Per-call timeout; the effective deadline is the earliest of this, the parent's, and the client default. */
  timeoutMs?: number;
  /** Aborting cancels this call only. */
  signal?: AbortSignal;
  /** The incoming call this one serves: deadline, request id and trace context propagate from it. */
  parent?: CallContext;
  /** Extra request headers (gRPC metadata). */
  headers?: Record<string, string>;
  /** Receives the response headers of the call when they arrive. */
  onHeaders?: (headers: Record<string, string>) => void;
}

type ClientMethod<M> = M extends { methodKind: 'unary'; input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? (req: MessageInitShape<I>, opts?: CallOptions) => Promise<MessageShape<O>>
  : M extends { methodKind: 'server_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? (req: MessageInitShape<I>, opts?: CallOptions) => AsyncIterable<MessageShape<O>>
    : M extends { methodKind: 'client_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
      ? (reqs: AsyncIterable<MessageInitShape<I>>, opts?: CallOptions) => Promise<MessageShape<O>>
      : M extends { methodKind: 'bidi_streaming'; input: infer I extends DescMessage; output: infer O extends DescMessage }
        ? (reqs: AsyncIterable<MessageInitShape<I>>, opts?: CallOptions) => AsyncIterable<MessageShape<O>>
        : never;

export type BreakerState = 'closed' | 'open' | 'half-open';

/** A typed client: one method per RPC plus breaker inspection and close. */
export type Client<S> = (S extends GenService<infer T extends GenServiceMethods> ? { [K in keyof T]: ClientMethod<T[K]> } : never) & {
  breakerState(): BreakerState;
  close(): void;
};

/** A started service, as the mesh launcher sees it. */
export interface RunningService {
  readonly name: string;
  /** host:port of its gRPC server. */
  readonly address: string;
  /** Drains in-flight calls for up to graceMs, then forces them closed. */
  stop(graceMs?: number): Promise<void>;
}
