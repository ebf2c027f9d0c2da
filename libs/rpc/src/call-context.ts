import { randomUUID } from 'node:crypto';
import { Metadata, type Deadline } from '@grpc/grpc-js';

/** The part of a grpc-js server call (any kind) that the context reads. */
interface ServerSurfaceCall {
  readonly metadata: Metadata;
  getDeadline(): Deadline;
  getPath(): string;
  on(event: 'cancelled', listener: () => void): unknown;
  removeListener(event: 'cancelled', listener: () => void): unknown;
}
import { continueOrStartTrace, type Logger } from '@infermesh/telemetry';
import type { CallContext } from './types.js';

/** Headers every hop reads and forwards. */
export const REQUEST_ID_HEADER = 'x-request-id';
export const TRACEPARENT_HEADER = 'traceparent';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Reads gRPC metadata into a plain map of the first value of each ASCII key. */
export function metadataToRecord(md: Metadata): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, values] of Object.entries(md.getMap())) {
    if (typeof values === 'string') out[key] = values;
  }
  return out;
}

function deadlineOf(call: ServerSurfaceCall): Date | undefined {
  const d = call.getDeadline();
  if (d instanceof Date) return Number.isFinite(d.getTime()) ? d : undefined;
  return Number.isFinite(d) ? new Date(d) : undefined;
}

/**
 * Builds the CallContext of an incoming call. The returned `dispose` must run when the call ends:
 * it clears the deadline timer and detaches from the server's shutdown signal.
 */
export function createCallContext(
  call: ServerSurfaceCall,
  logger: Logger,
  shutdown: AbortSignal,
  sendHeaders: (md: Metadata) => void,
): { ctx: CallContext; dispose: () => void; flushHeaders: () => void } {
  const headers = metadataToRecord(call.metadata);
  const incomingId = headers[REQUEST_ID_HEADER];
  const requestId = incomingId !== undefined && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
  const spanContext = continueOrStartTrace(headers[TRACEPARENT_HEADER]);
  const controller = new AbortController();
  const deadline = deadlineOf(call);

  // grpc-js reports a passed deadline as a cancellation too, sometimes before our own timer fires:
  // a cancel at (or within a few ms of) the deadline is the deadline.
  const onCancel = (): void =>
    controller.abort(
      deadline !== undefined && Date.now() >= deadline.getTime() - 5
        ? new DOMException('deadline exceeded', 'TimeoutError')
        : new DOMException('client cancelled the call', 'AbortError'),
    );
  call.on('cancelled', onCancel);
  const onShutdown = (): void => controller.abort(new DOMException('server is shutting down', 'AbortError'));
  shutdown.addEventListener('abort', onShutdown, { once: true });
  let timer: NodeJS.Timeout | undefined;
  if (deadline !== undefined) {
    timer = setTimeout(() => controller.abort(new DOMException('deadline exceeded', 'TimeoutError')), Math.max(0, deadline.getTime() - Date.now()));
  }

  const pending = new Metadata();
  let headersSent = false;
  const flushHeaders = (): void => {
    if (headersSent) return;
    headersSent = true;
    sendHeaders(pending);
  };

  const ctx: CallContext = {
    signal: controller.signal,
    deadline,
    requestId,
    traceId: spanContext.traceId,
    spanContext,
    logger: logger.child({ request_id: requestId, trace_id: spanContext.traceId, method: call.getPath() }),
    header: (key) => headers[key.toLowerCase()],
    setHeader: (key, value) => {
      if (headersSent) throw new Error(`response headers already sent; cannot set ${key}`);
      pending.set(key.toLowerCase(), value);
    },
  };
  const dispose = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    call.removeListener('cancelled', onCancel);
    shutdown.removeEventListener('abort', onShutdown);
  };
  return { ctx, dispose, flushHeaders };
}
