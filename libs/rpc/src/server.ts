import { Server, ServerCredentials, type ServerDuplexStream, type ServerReadableStream, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { DescService } from '@bufbuild/protobuf';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from '@infermesh/telemetry';
import { DecodeFailure, reflectionPackage, serviceDefinition } from './adapter.js';
import { invalidArgument } from '@infermesh/errors';
import { createCallContext } from './call-context.js';
import { toServiceError } from './status.js';
import type { CallContext, ServiceImpl } from './types.js';

/** Server limits, chosen deliberately rather than left to library defaults. */
export interface ServerOptions {
  name: string;
  host: string;
  /** 0 picks a free port. */
  port: number;
  logger: Logger;
  /** Largest request accepted, bytes (default 16 MiB: a 128K-token prompt as text is ~0.5 MiB; chats with tool schemas grow). */
  maxReceiveMessageBytes?: number;
  /** Largest response sent, bytes (default 16 MiB). */
  maxSendMessageBytes?: number;
  /** HTTP/2 concurrent streams per connection (default 1000): bounds one client's share of the server. */
  maxConcurrentStreams?: number;
  /** Default grace period of shutdown(), ms (default 5000). */
  shutdownGraceMs?: number;
}

export interface MeshServer {
  /** Registers a service; call before start(). Every method needs a handler (checked by type, and at run time). */
  add<S extends DescService>(service: S, impl: ServiceImpl<S>): void;
  start(): Promise<{ address: string; port: number }>;
  /** Marks every service NOT_SERVING, stops accepting calls, waits up to graceMs for in-flight calls, then forces. */
  shutdown(graceMs?: number): Promise<void>;
  readonly health: HealthImplementation;
}

type AnyHandler = (...args: unknown[]) => unknown;

/** A gRPC server with health (grpc.health.v1), reflection and graceful drain. */
export function createServer(options: ServerOptions): MeshServer {
  const server = new Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 16 * 1024 * 1024,
    'grpc.max_send_message_length': options.maxSendMessageBytes ?? 16 * 1024 * 1024,
    'grpc.max_concurrent_streams': options.maxConcurrentStreams ?? 1000,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    'grpc.keepalive_permit_without_calls': 1,
  });
  const health = new HealthImplementation({ '': 'NOT_SERVING' });
  const shutdownController = new AbortController();
  const services: DescService[] = [];
  const log = options.logger;

  const context = (call: Parameters<typeof createCallContext>[0], send: Parameters<typeof createCallContext>[3]) =>
    createCallContext(call, log, shutdownController.signal, send);

  function wrap(service: DescService, impl: Record<string, AnyHandler>): UntypedServiceImplementation {
    const out: UntypedServiceImplementation = {};
    for (const method of service.methods) {
      const handler = impl[method.localName];
      if (typeof handler !== 'function') throw new Error(`${service.typeName} implementation lacks ${method.localName}`);
      const fail = (ctx: CallContext, err: unknown) => {
        const status = toServiceError(err);
        if (status.code === 13) ctx.logger.error({ err }, 'handler failed');
        else ctx.logger.debug({ code: status.code, reason: status.details }, 'call failed');
        return status;
      };
      // Unary and client-streaming calls answer once: run the handler, then headers and the response or the status.
      const respondOnce = (call: ServerUnaryCall<unknown, unknown> | ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>, run: (ctx: CallContext) => unknown): void => {
        const { ctx, dispose, flushHeaders } = context(call, (md) => call.sendMetadata(md));
        Promise.resolve()
          .then(() => run(ctx))
          .then(
            (res) => {
              flushHeaders();
              callback(null, res);
            },
            (err) => callback(fail(ctx, err)),
          )
          .finally(dispose);
      };
      switch (method.methodKind) {
        case 'unary':
          out[method.localName] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
            respondOnce(call, callback, (ctx) => handler(decoded(call.request), ctx));
          break;
        case 'server_streaming':
        case 'bidi_streaming':
          out[method.localName] = (call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>) => {
            const { ctx, dispose, flushHeaders } = context(call, (md) => call.sendMetadata(md));
            const input = method.methodKind === 'server_streaming' ? (call as ServerWritableStream<unknown, unknown>).request : decodedStream(call as ServerDuplexStream<unknown, unknown>);
            void pump(call, () => handler(method.methodKind === 'server_streaming' ? decoded(input) : input, ctx) as AsyncIterable<unknown>, ctx, flushHeaders)
              .catch((err) => {
                if (!call.cancelled) call.emit('error', fail(ctx, err));
              })
              .finally(dispose);
          };
          break;
        case 'client_streaming':
          out[method.localName] = (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) =>
            respondOnce(call, callback, (ctx) => handler(decodedStream(call), ctx));
          break;
      }
    }
    return out;
  }

  return {
    health,
    add(service, impl) {
      services.push(service);
      server.addService(serviceDefinition(service), wrap(service, impl as Record<string, AnyHandler>));
    },
    start() {
      health.addToServer(server);
      new ReflectionService(reflectionPackage(services) as never).addToServer(server);
      return new Promise((resolve, reject) => {
        server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (err, port) => {
          if (err) return reject(err);
          health.setStatus('', 'SERVING');
          for (const s of services) health.setStatus(s.typeName, 'SERVING');
          log.info({ address: `${options.host}:${port}` }, `${options.name} gRPC server listening`);
          resolve({ address: `${options.host}:${port}`, port });
        });
      });
    },
    async shutdown(graceMs = options.shutdownGraceMs ?? 5000) {
      health.setStatus('', 'NOT_SERVING');
      for (const s of services) health.setStatus(s.typeName, 'NOT_SERVING');
      const drained = new Promise<boolean>((resolve) => server.tryShutdown(() => resolve(true)));
      const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
      if (!(await Promise.race([drained, timeout]))) {
        log.warn({ graceMs }, `${options.name} gRPC server did not drain in time; forcing`);
        shutdownController.abort();
        server.forceShutdown();
      }
      shutdownController.abort();
    },
  };
}

/** The request, or INVALID_ARGUMENT when it could not be decoded. */
function decoded(req: unknown): unknown {
  if (req instanceof DecodeFailure) throw invalidArgument(`malformed ${req.typeName}: ${req.reason}`);
  return req;
}

async function* decodedStream(reqs: AsyncIterable<unknown>): AsyncIterable<unknown> {
  for await (const r of reqs) yield decoded(r);
}

/**
 * Writes a handler's messages to the call, honouring back-pressure; headers go out first so
 * that clients learn the call was accepted before the first message (streams may take a while).
 */
async function pump(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  run: () => AsyncIterable<unknown>,
  ctx: CallContext,
  flushHeaders: () => void,
): Promise<void> {
  const iterable = run();
  let first = true;
  for await (const msg of iterable) {
    if (first) {
      flushHeaders();
      first = false;
    }
    if (call.cancelled || ctx.signal.aborted) return;
    if (!call.write(msg)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          call.off('drain', done);
          ctx.signal.removeEventListener('abort', done);
          resolve();
        };
        call.on('drain', done);
        ctx.signal.addEventListener('abort', done, { once: true });
      });
    }
  }
  flushHeaders();
  if (!call.cancelled) call.end();
}
