import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { invalidArgument, toHttpError, Code, MeshError } from '@infermesh/errors';
import { registerOpenAiRoutes, type OpenAiDeps } from './openai-routes.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Maps fastify's own client errors (body too large, wrong content type...) to OpenAI bodies. */
function statusOfFastifyError(err: { statusCode?: number; code?: string }): MeshError | undefined {
  if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new MeshError(Code.InvalidArgument, 'request body is too large');
  if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new MeshError(Code.InvalidArgument, 'content-type must be application/json');
  if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return invalidArgument('the request body is empty');
  return undefined;
}

/** Bytes of an oversized body read and discarded before the connection is cut. */
const MAX_DISCARD_BYTES = 64 * 1024 * 1024;

/**
 * Answers an oversized body without reading it into memory, but keeps reading and discarding (up to
 * MAX_DISCARD_BYTES) so a client still sending can finish and read the 413: closing at once makes
 * most HTTP clients report a broken pipe instead of the status.
 */
function discardRestOfBody(raw: IncomingMessage): void {
  let discarded = 0;
  raw.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARD_BYTES) raw.socket.destroy();
  });
  // No `connection: close`: Node would end the socket as soon as the 413 is written, while the
  // client is still sending, and the client would see a broken pipe instead of the status.
  raw.resume();
}

/**
 * The OpenAI-compatible HTTP server. JSON bodies are parsed strictly: invalid UTF-8 and
 * malformed JSON are 400s with a clear message, bodies over the limit are 413.
 */
export function createHttpServer(deps: OpenAiDeps, options: { maxBodyBytes: number }): FastifyInstance {
  const app = Fastify({ bodyLimit: options.maxBodyBytes, logger: false, return503OnClosing: true, forceCloseConnections: 'idle' });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'text/plain'], { parseAs: 'buffer' }, (_req, body: Buffer, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body);
    } catch {
      return done(invalidArgument('request body is not valid UTF-8'), undefined);
    }
    if (text.trim() === '') return done(invalidArgument('the request body is empty'), undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(invalidArgument('request body is not valid JSON'), undefined);
    }
  });
  app.setErrorHandler((err, req, reply) => {
    const fastifyErr = err as { statusCode?: number; code?: string };
    if (fastifyErr.code === 'FST_ERR_CTP_BODY_TOO_LARGE') discardRestOfBody(req.raw);
    const mapped = statusOfFastifyError(fastifyErr);
    const { status, body } = toHttpError(mapped ?? err);
    const finalStatus = fastifyErr.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 413 : fastifyErr.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 415 : status;
    if (finalStatus >= 500) deps.logger.error({ err, route: req.routeOptions.url }, 'http request failed');
    void reply.status(finalStatus).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({ error: { message: `no route for ${req.method} ${req.url.split('?')[0]}`, type: 'invalid_request_error', param: null, code: 'not_found' } });
  });
  // `Expect: 100-continue`: refuse a body declared too large before the client sends it, the one
  // way a client can learn of the 413 without racing its own upload.
  app.server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const length = Number(req.headers['content-length']);
    if (Number.isFinite(length) && length > options.maxBodyBytes) {
      res.writeHead(413, { 'content-type': 'application/json; charset=utf-8', connection: 'close' });
      res.end(JSON.stringify(toHttpError(new MeshError(Code.InvalidArgument, 'request body is too large')).body));
      return;
    }
    res.writeContinue();
    app.server.emit('request', req, res);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  registerOpenAiRoutes(app, deps);
  return app;
}
