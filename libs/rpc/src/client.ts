import { Client as GrpcClient, Metadata, credentials, type ClientReadableStream, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { Code, MeshError } from '@infermesh/errors';
import { childSpanContext, continueOrStartTrace, formatTraceparent } from '@infermesh/telemetry';
import { methodDefinition } from './adapter.js';
import { Breaker, defaultBreakerOptions, type BreakerOptions } from './breaker.js';
import { REQUEST_ID_HEADER, TRACEPARENT_HEADER, metadataToRecord } from './call-context.js';
import { fromServiceError } from './status.js';
import type { CallOptions, Client } from './types.js';

export interface ClientOptions {
  /** Names the callee in errors, logs and the breaker. */
  name: string;
  /** Default deadline of unary calls, ms (default 5000). */
  timeoutMs?: number;
  /** Default deadline of streaming calls, ms; unset: only the parent's deadline or the call's own. */
  streamTimeoutMs?: number;
  breaker?: Partial<BreakerOptions>;
  /** Largest response accepted, bytes (default 16 MiB). */
  maxReceiveMessageBytes?: number;
}

/**
 * A typed gRPC client for a protobuf-es service. Every call carries a deadline, the request id
 * and trace context, and goes through this client's circuit breaker (establishment of streams
 * included). Errors come out as MeshError with the gRPC code.
 */
export function createClient<S extends DescService>(service: S, address: string, options: ClientOptions): Client<S> {
  const grpc = new GrpcClient(address, credentials.createInsecure(), {
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 16 * 1024 * 1024,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    // Reconnect quickly after a callee restarts; the breaker bounds the cost of trying.
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 2000,
  });
  const breaker = new Breaker(options.name, { ...defaultBreakerOptions(), ...options.breaker });
  const out: Record<string, unknown> = {
    breakerState: () => breaker.state(),
    close: () => {
      breaker.shutdown();
      grpc.close();
    },
  };
  for (const method of service.methods) out[method.localName] = bindMethod(grpc, breaker, method, options);
  return out as Client<S>;
}

function prepare(opts: CallOptions | undefined, defaultTimeoutMs: number | undefined): { metadata: Metadata; deadline: Date | undefined } {
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(opts?.headers ?? {})) metadata.set(k.toLowerCase(), v);
  const parent = opts?.parent;
  if (parent !== undefined && metadata.get(REQUEST_ID_HEADER).length === 0) metadata.set(REQUEST_ID_HEADER, parent.requestId);
  const span = parent !== undefined ? childSpanContext(parent.spanContext) : continueOrStartTrace(undefined);
  metadata.set(TRACEPARENT_HEADER, formatTraceparent(span));
  const candidates: number[] = [];
  const own = opts?.timeoutMs ?? defaultTimeoutMs;
  if (own !== undefined) candidates.push(Date.now() + own);
  if (parent?.deadline !== undefined) candidates.push(parent.deadline.getTime());
  return { metadata, deadline: candidates.length > 0 ? new Date(Math.min(...candidates)) : undefined };
}

function checkSignal(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new MeshError(Code.Cancelled, 'call cancelled before it started');
}

function bindMethod(grpc: GrpcClient, breaker: Breaker, method: DescMethod, options: ClientOptions): unknown {
  const def = methodDefinition(method);
  const unaryTimeout = options.timeoutMs ?? 5000;
  const label = `${options.name}.${method.localName}`;
  switch (method.methodKind) {
    case 'unary':
      return (req: unknown, opts?: CallOptions) => {
        checkSignal(opts?.signal);
        const { metadata, deadline } = prepare(opts, unaryTimeout);
        return breaker.run(
          () =>
            new Promise((resolve, reject) => {
              const call = grpc.makeUnaryRequest(def.path, def.requestSerialize, def.responseDeserialize, req, metadata, deadline ? { deadline } : {}, (err: ServiceError | null, res?: unknown) =>
                err ? reject(fromServiceError(err)) : resolve(res),
              );
              if (opts?.onHeaders) call.on('metadata', (md: Metadata) => opts.onHeaders?.(metadataToRecord(md)));
              opts?.signal?.addEventListener('abort', () => call.cancel(), { once: true });
            }),
        );
      };
    case 'server_streaming':
      return (req: unknown, opts?: CallOptions) =>
        consume(label, breaker, opts, () => {
          const { metadata, deadline } = prepare(opts, options.streamTimeoutMs);
          return grpc.makeServerStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, req, metadata, deadline ? { deadline } : {});
        });
    case 'bidi_streaming':
      return (reqs: AsyncIterable<unknown>, opts?: CallOptions) =>
        consume(label, breaker, opts, () => {
          const { metadata, deadline } = prepare(opts, options.streamTimeoutMs);
          const call = grpc.makeBidiStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, metadata, deadline ? { deadline } : {});
          void feed(call, reqs);
          return call;
        });
    case 'client_streaming':
      return async (reqs: AsyncIterable<unknown>, opts?: CallOptions) => {
        checkSignal(opts?.signal);
        const { metadata, deadline } = prepare(opts, unaryTimeout);
        return breaker.run(
          () =>
            new Promise((resolve, reject) => {
              const call = grpc.makeClientStreamRequest(def.path, def.requestSerialize, def.responseDeserialize, metadata, deadline ? { deadline } : {}, (err: ServiceError | null, res?: unknown) =>
                err ? reject(fromServiceError(err)) : resolve(res),
              );
              opts?.signal?.addEventListener('abort', () => call.cancel(), { once: true });
              void feed(call, reqs);
            }),
        );
      };
  }
}

/** Writes an input stream to a call with back-pressure; a failing input cancels the call. */
async function feed(call: { write(m: unknown): boolean; end(): void; cancel(): void; once(e: string, f: () => void): unknown }, reqs: AsyncIterable<unknown>): Promise<void> {
  try {
    for await (const m of reqs) {
      if (!call.write(m)) await new Promise<void>((r) => call.once('drain', r));
    }
    call.end();
  } catch {
    call.cancel();
  }
}

/**
 * Iterates a response stream. Establishment (response headers, or the first status) goes through
 * the breaker, so a dead callee opens it; leaving the loop early cancels the call.
 */
async function* consume(
  label: string,
  breaker: Breaker,
  opts: CallOptions | undefined,
  start: () => ClientReadableStream<unknown> | ClientDuplexStream<unknown, unknown>,
): AsyncGenerator<unknown> {
  checkSignal(opts?.signal);
  let call: ClientReadableStream<unknown> | ClientDuplexStream<unknown, unknown> | undefined;
  let finished = false;
  const onAbort = (): void => call?.cancel();
  opts?.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await breaker.run(
      () =>
        new Promise<void>((resolve, reject) => {
          call = start();
          call.once('metadata', (md: Metadata) => {
            opts?.onHeaders?.(metadataToRecord(md));
            resolve();
          });
          call.once('error', (err) => reject(fromServiceError(err)));
          call.once('status', () => resolve());
        }),
    );
    for await (const msg of call!) yield msg;
    finished = true;
  } catch (err) {
    finished = true;
    const e = fromServiceError(err);
    if (e.code === Code.Cancelled && opts?.signal?.aborted) throw new MeshError(Code.Cancelled, `${label} cancelled by caller`, { cause: err });
    throw e;
  } finally {
    opts?.signal?.removeEventListener('abort', onAbort);
    if (!finished) call?.cancel();
  }
}
