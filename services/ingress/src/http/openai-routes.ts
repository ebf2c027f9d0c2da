import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toHttpError } from '@infermesh/errors';
import { common, events } from '@infermesh/proto';
import type { TenantDirectory } from '@infermesh/auth';
import type { Logger } from '@infermesh/telemetry';
import type { GenerationEvent, GenerationService } from '../domain/generation.js';
import type { ModelCatalogue } from '../domain/model-catalogue.js';
import type { GenerateInput } from '../domain/request.js';
import { asObject, chatMessages, chatTools, completionPrompt, optionalBool, optionalInt, rejectUnsupported, requiredString, stopStrings, type Json } from './openai-body.js';
import { httpScope } from './request-scope.js';

export interface OpenAiDeps {
  generation: GenerationService;
  tenants: TenantDirectory;
  models: ModelCatalogue;
  logger: Logger;
  defaultRequestTimeoutMs: number;
}

type Kind = 'completion' | 'chat';

function finishReason(r: common.FinishReason): string {
  return r === common.FinishReason.LENGTH ? 'length' : 'stop';
}

function usageJson(ev: Extract<GenerationEvent, { kind: 'final' }>) {
  const u = ev.usage;
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    prompt_tokens_details: { cached_tokens: u.cachedPromptTokens },
  };
}

/** The OpenAI-compatible routes: /v1/completions, /v1/chat/completions (JSON or SSE) and /v1/models. */
export function registerOpenAiRoutes(app: FastifyInstance, deps: OpenAiDeps): void {
  const authenticate = async (req: FastifyRequest, reply: FastifyReply, api: events.Api) => {
    const scope = httpScope(req, reply, deps.logger, deps.defaultRequestTimeoutMs);
    try {
      return { scope, principal: deps.tenants.authenticateHeader(scope.header('authorization')) };
    } catch (err) {
      await deps.generation.recordRejection(scope, '', api, err);
      throw err;
    }
  };

  app.get('/v1/models', async (req, reply) => {
    await authenticate(req, reply, events.Api.UNSPECIFIED);
    const models = await deps.models.list();
    return { object: 'list', data: models.map((m) => ({ id: m.id, object: 'model', created: 0, owned_by: m.ownedBy, context_length: m.contextLength })) };
  });

  const generate = (kind: Kind) => async (req: FastifyRequest, reply: FastifyReply) => {
    const api = kind === 'chat' ? events.Api.HTTP_CHAT_COMPLETIONS : events.Api.HTTP_COMPLETIONS;
    const { scope, principal } = await authenticate(req, reply, api);
    let input: GenerateInput;
    try {
      input = parseInput(kind, asObject(req.body), api);
    } catch (err) {
      await deps.generation.recordRejection(scope, principal.tenantId, api, err);
      throw err;
    }
    const body = req.body as Json;
    const includeUsage = (body['stream_options'] as Json | undefined)?.['include_usage'] === true;
    const id = `${kind === 'chat' ? 'chatcmpl' : 'cmpl'}-${scope.requestId}`;
    const created = Math.floor(Date.now() / 1000);
    const iterator = deps.generation.generate(input, principal, scope)[Symbol.asyncIterator]();
    // The first event (the worker accepted the request) comes before any byte is sent, so that
    // admission errors still get their own HTTP status.
    const first = await iterator.next();
    const workerId = first.done !== true && first.value.kind === 'started' ? first.value.workerId : '';
    void reply.header('x-worker-id', workerId);

    if (!input.stream) {
      let text = '';
      let final: Extract<GenerationEvent, { kind: 'final' }> | undefined;
      for (let r = first; r.done !== true; r = await iterator.next()) {
        if (r.value.kind === 'chunk') text += r.value.text;
        if (r.value.kind === 'final') final = r.value;
      }
      if (final === undefined) throw new Error('generation ended without a final event');
      const choice = kind === 'chat' ? { index: 0, message: { role: 'assistant', content: text }, finish_reason: finishReason(final.finishReason), logprobs: null } : { index: 0, text, finish_reason: finishReason(final.finishReason), logprobs: null };
      return { id, object: kind === 'chat' ? 'chat.completion' : 'text_completion', created, model: input.model, choices: [choice], usage: usageJson(final) };
    }

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': scope.requestId, 'x-worker-id': workerId });
    const send = async (data: unknown): Promise<void> => {
      if (!res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`)) await new Promise((r) => res.once('drain', r));
    };
    const object = kind === 'chat' ? 'chat.completion.chunk' : 'text_completion';
    const chunk = (text: string | undefined, reason: string | null, role = false) => ({
      id,
      object,
      created,
      model: input.model,
      choices: [kind === 'chat' ? { index: 0, delta: role ? { role: 'assistant', content: '' } : text === undefined ? {} : { content: text }, finish_reason: reason, logprobs: null } : { index: 0, text: text ?? '', finish_reason: reason, logprobs: null }],
      ...(includeUsage ? { usage: null } : {}),
    });
    try {
      if (kind === 'chat') await send(chunk(undefined, null, true));
      for (let r = first; r.done !== true; r = await iterator.next()) {
        const ev = r.value;
        if (ev.kind === 'chunk' && ev.text !== '') await send(chunk(ev.text, null));
        if (ev.kind === 'final') {
          await send(chunk(kind === 'chat' ? undefined : '', finishReason(ev.finishReason)));
          if (includeUsage) await send({ id, object, created, model: input.model, choices: [], usage: usageJson(ev) });
        }
      }
      await send('[DONE]');
    } catch (err) {
      if (!res.destroyed) await send(toHttpError(err).body).catch(() => undefined);
    } finally {
      res.end();
    }
    return reply;
  };

  app.post('/v1/completions', generate('completion'));
  app.post('/v1/chat/completions', generate('chat'));
}

function parseInput(kind: Kind, body: Json, api: events.Api): GenerateInput {
  rejectUnsupported(body);
  const input: GenerateInput = { model: requiredString(body, 'model'), api, stream: optionalBool(body, 'stream') };
  if (kind === 'chat') {
    input.chat = chatMessages(body);
    const tools = chatTools(body);
    if (tools !== undefined) input.tools = tools;
  }
  else input.prompt = completionPrompt(body);
  const max = optionalInt(body, 'max_completion_tokens') ?? optionalInt(body, 'max_tokens');
  if (max !== undefined) input.maxTokens = max;
  const stop = stopStrings(body);
  if (stop !== undefined) input.stop = stop;
  const seed = optionalInt(body, 'seed');
  if (seed !== undefined) input.seed = BigInt.asUintN(64, BigInt(seed));
  return input;
}
