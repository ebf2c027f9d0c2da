import type { MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { invalidArgument, MeshError } from '@infermesh/errors';
import type { tokenizer } from '@infermesh/proto';
import type { ServiceImpl } from '@infermesh/rpc';
import { tokenizerName } from '../catalogue.js';
import { MAX_BATCH, type DetokenizeSession, type TokenizeInput, type TokenizeResult, type TokenizerService } from '../tokenizer-service.js';

type Impl = ServiceImpl<typeof tokenizer.Tokenizer>;
type StreamRequest = MessageShape<typeof tokenizer.DetokenizeStreamRequestSchema>;
type WireInput = MessageShape<typeof tokenizer.TokenizeRequestSchema>['input'];
type WireTokenizeRequest = MessageShape<typeof tokenizer.TokenizeRequestSchema>;

/** The gRPC face of the tokenizer: translates wire messages to domain calls and back. */
export function tokenizerHandlers(service: TokenizerService): Impl {
  return {
    async tokenize(req) {
      return toWireResult(await service.tokenize(toDomain(service, req)));
    },

    async tokenizeBatch(req) {
      if (req.requests.length === 0 || req.requests.length > MAX_BATCH) {
        throw invalidArgument(`a batch holds 1..${MAX_BATCH} requests, got ${req.requests.length}`, 'requests');
      }
      const inputs: TokenizeInput[] = [];
      const early = new Map<number, MeshError>();
      req.requests.forEach((r, i) => {
        try {
          inputs.push(toDomain(service, r));
        } catch (err) {
          early.set(i, MeshError.from(err));
        }
      });
      const done = inputs.length === 0 ? [] : await service.tokenizeBatch(inputs);
      let next = 0;
      return {
        results: req.requests.map((_r, i) => {
          const error = early.get(i);
          if (error !== undefined) return { errorCode: error.code, errorMessage: error.message };
          const item = done[next++]!;
          return item.ok ? { response: toWireResult(item.result) } : { errorCode: item.error.code, errorMessage: item.error.message };
        }),
      };
    },

    async count(req) {
      const res = await service.count({ model: req.model, input: toDomainInput(service, req.model, req.input), reserveTokens: req.reserveTokens });
      return { tokenCount: res.tokenCount, contextLength: res.contextLength, fitsContext: res.fitsContext };
    },

    async detokenize(req) {
      return { text: await service.detokenize(req.model, req.tokenIds, req.skipSpecialTokens) };
    },

    async *detokenizeStream(reqs, ctx) {
      let session: DetokenizeSession | undefined;
      for await (const req of reqs) {
        if (session === undefined) session = await open(service, req);
        else if (req.model !== '' && req.model !== session.modelId) throw invalidArgument('model cannot change within a stream', 'model');
        // After a stop the rest of the request stream is drained unanswered: the call completes
        // when the client half-closes (leaving the request loop early would not end the call).
        if (req.tokenIds.length === 0 || session.finished) continue;
        const step = session.push(req.tokenIds);
        if (step.matchedStop !== undefined) yield { text: step.text, tokenCount: session.tokenCount, stopped: true, matchedStop: step.matchedStop };
        else yield { text: step.text, tokenCount: session.tokenCount };
      }
      if (session === undefined || session.finished || ctx.signal.aborted) return;
      const rest = session.flush();
      if (rest.matchedStop !== undefined) yield { text: rest.text, tokenCount: session.tokenCount, stopped: true, matchedStop: rest.matchedStop };
      else if (rest.text !== '') yield { text: rest.text, tokenCount: session.tokenCount };
    },

    listModels() {
      return {
        models: service.listModels().map((m) => ({
          id: m.id,
          tokenizer: tokenizerName(m.source),
          contextLength: m.contextLength,
          blockSize: m.blockSize,
          regularVocabSize: m.regularVocabSize,
          eosTokenIds: m.eosTokenIds,
          ownedBy: m.ownedBy,
        })),
      };
    },
  };
}

function open(service: TokenizerService, first: StreamRequest): Promise<DetokenizeSession> {
  if (first.model === '') throw invalidArgument('the first message of a stream must name the model', 'model');
  return service.openStream(first.model, first.skipSpecialTokens, first.stop);
}

function toDomain(service: TokenizerService, req: WireTokenizeRequest): TokenizeInput {
  return {
    model: req.model,
    input: toDomainInput(service, req.model, req.input),
    withBlockHashes: req.withBlockHashes,
    cacheSalt: req.cacheSalt,
    reserveTokens: req.reserveTokens,
  };
}

/** The wire's text-or-chat oneof as a domain input; an unknown model wins over a missing input (NOT_FOUND first). */
function toDomainInput(service: TokenizerService, model: string, input: WireInput): TokenizeInput['input'] {
  if (input.case === 'text') return { text: input.value };
  if (input.case === 'chat') {
    return {
      chat: {
        messages: input.value.messages.map((m) => ({
          role: m.role,
          content: m.content,
          name: m.name,
          toolCalls: m.toolCalls.map((c) => ({ id: c.id, name: c.name, arguments: c.arguments })),
          toolCallId: m.toolCallId,
        })),
        addGenerationPrompt: input.value.addGenerationPrompt,
        tools: input.value.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters })),
      },
    };
  }
  service.registry.entry(model);
  throw invalidArgument('one of text or chat is required', 'input');
}

function toWireResult(res: TokenizeResult): MessageInitShape<typeof tokenizer.TokenizeResponseSchema> {
  return { tokenIds: res.tokenIds, blockHashes: res.blockHashes, blockSize: res.blockSize, contextLength: res.contextLength };
}
