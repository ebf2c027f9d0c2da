import { Code, MeshError } from '@infermesh/errors';
import type { inference} from '@infermesh/proto';
import { events, type common } from '@infermesh/proto';
import type { TenantDirectory } from '@infermesh/auth';
import type { CallContext, ServiceImpl } from '@infermesh/rpc';
import type { GenerationService } from '../domain/generation.js';
import type { ModelCatalogue } from '../domain/model-catalogue.js';
import type { TokenizerClient } from '../domain/ports.js';
import type { ChatTurn, GenerateInput } from '../domain/request.js';
import { withDeadline } from '../domain/scope.js';

export interface InferenceDeps {
  generation: GenerationService;
  tenants: TenantDirectory;
  models: ModelCatalogue;
  tokenizer: TokenizerClient;
  defaultRequestTimeoutMs: number;
}

function chatTurns(chat: common.Chat): ChatTurn[] {
  return chat.messages.map((m) => {
    const turn: ChatTurn = { role: m.role, content: m.content };
    if (m.name !== '') turn.name = m.name;
    if (m.toolCalls.length > 0) turn.toolCalls = m.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments }));
    if (m.toolCallId !== '') turn.toolCallId = m.toolCallId;
    return turn;
  });
}

/** Translates the public gRPC API to the generation domain. */
export function inferenceService(deps: InferenceDeps): ServiceImpl<typeof inference.Inference> {
  const authenticate = async (ctx: CallContext) => {
    ctx.setHeader('x-request-id', ctx.requestId);
    try {
      return deps.tenants.authenticateHeader(ctx.header('authorization'));
    } catch (err) {
      await deps.generation.recordRejection(ctx, '', events.Api.GRPC, err);
      throw err;
    }
  };

  return {
    async *generate(req, rawCtx) {
      const ctx = withDeadline(rawCtx, deps.defaultRequestTimeoutMs);
      const principal = await authenticate(ctx);
      const input: GenerateInput = { model: req.model, api: events.Api.GRPC, stream: true };
      if (req.input.case === 'prompt') input.prompt = req.input.value;
      if (req.input.case === 'chat') {
        input.chat = chatTurns(req.input.value);
        if (req.input.value.tools.length > 0) input.tools = req.input.value.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
      }
      if (req.maxTokens !== undefined) input.maxTokens = req.maxTokens;
      if (req.seed !== undefined) input.seed = req.seed;
      if (req.stop.length > 0) input.stop = req.stop;
      for await (const ev of deps.generation.generate(input, principal, ctx)) {
        switch (ev.kind) {
          case 'started':
            ctx.setHeader('x-worker-id', ev.workerId);
            yield { event: { case: 'started', value: { requestId: ev.requestId, model: ev.model, promptTokens: ev.promptTokens } } };
            break;
          case 'chunk':
            yield { event: { case: 'chunk', value: { tokenIds: ev.tokenIds, text: ev.text } } };
            break;
          case 'final':
            yield { event: { case: 'final', value: { finishReason: ev.finishReason, usage: ev.usage, timings: ev.timings, workerId: ev.workerId } } };
            break;
        }
      }
    },

    async countTokens(req, ctx) {
      await authenticate(ctx);
      const spec = await deps.models.get(req.model);
      if (req.input.case === undefined) throw new MeshError(Code.InvalidArgument, 'prompt or chat is required', { details: { param: 'prompt' } });
      const res = await deps.tokenizer.tokenize(
        {
          model: req.model,
          input: req.input.case === 'chat' ? { case: 'chat', value: { messages: req.input.value.messages, addGenerationPrompt: true } } : { case: 'text', value: req.input.value },
        },
        { parent: ctx },
      );
      return { tokenCount: res.tokenIds.length, contextLength: spec.contextLength };
    },

    async listModels(_req, ctx) {
      await authenticate(ctx);
      const models = await deps.models.list();
      return { models: models.map((m) => ({ id: m.id, contextLength: m.contextLength, tokenizer: m.tokenizer, ownedBy: m.ownedBy })) };
    },
  };
}
