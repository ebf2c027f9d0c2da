import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { continueOrStartTrace, type Logger } from '@infermesh/telemetry';
import type { RequestScope } from '../domain/ports.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The RequestScope of an HTTP request: its signal aborts when the client disconnects before the
 * response is complete (so the worker stops generating) or when the deadline passes.
 */
export function httpScope(req: FastifyRequest, reply: FastifyReply, logger: Logger, timeoutMs: number): RequestScope {
  const header = (key: string): string | undefined => {
    const v = req.headers[key.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  const incoming = header('x-request-id');
  const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  const spanContext = continueOrStartTrace(header('traceparent'));
  const disconnect = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) disconnect.abort(new DOMException('client disconnected', 'AbortError'));
  });
  const deadline = new Date(Date.now() + timeoutMs);
  reply.header('x-request-id', requestId);
  return {
    signal: AbortSignal.any([disconnect.signal, AbortSignal.timeout(timeoutMs)]),
    deadline,
    requestId,
    traceId: spanContext.traceId,
    spanContext,
    logger: logger.child({ request_id: requestId, trace_id: spanContext.traceId, route: req.routeOptions.url }),
    header,
    setHeader: (key, value) => void reply.header(key, value),
  };
}
