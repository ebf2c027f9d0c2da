import type { MessageShape } from '@bufbuild/protobuf';
import { invalidArgument } from '@infermesh/errors';
import type { tokenizer } from '@infermesh/proto';
import type { ServiceImpl } from '@infermesh/rpc';
import { tokenizerName } from '../catalogue.js';
import type { DetokenizeSession, TokenizeInput, TokenizerService } from '../tokenizer-service.js';

type Impl = ServiceImpl<typeof tokenizer.Tokenizer>;
type StreamRequest = MessageShape<typeof tokenizer.DetokenizeStreamRequestSchema>;

/** The gRPC face of the tokenizer: translates wire messages to domain calls and back. */
export function tokenizerHandlers(service: TokenizerService): Impl {
  return {
    async tokenize(req) {
      let input: TokenizeInput['input'];
      if (req.input.case === 'text') input = { text: req.input.value };
      else if (req.input.case === 'chat') {
        const chat = req.input.value;
        input = {
          chat: {
            messages: chat.messages.map((m) => ({ role: m.role, content: m.content, name: m.name })),
            addGenerationPrompt: chat.addGenerationPrompt,
          },
        };
      } else {
        service.registry.entry(req.model);
        throw invalidArgument('one of text or chat is required', 'input');
      }
      const res = await service.tokenize({
        model: req.model,
        input,
        withBlockHashes: req.withBlockHashes,
        cacheSalt: req.cacheSalt,
        reserveTokens: req.reserveTokens,
      });
      return { tokenIds: res.tokenIds, blockHashes: res.blockHashes, blockSize: res.blockSize, contextLength: res.contextLength };
    },

    async detokenize(req) {
      return { text: await service.detokenize(req.model, req.tokenIds, req.skipSpecialTokens) };
    },

    async *detokenizeStream(reqs, ctx) {
      let session: DetokenizeSession | undefined;
      for await (const req of reqs) {
        if (session === undefined) session = await open(service, req);
        else if (req.model !== '' && req.model !== session.modelId) throw invalidArgument('model cannot change within a stream', 'model');
        if (req.tokenIds.length === 0) continue;
        yield { text: session.push(req.tokenIds), tokenCount: session.tokenCount };
      }
      if (session === undefined || ctx.signal.aborted) return;
      const rest = session.flush();
      if (rest !== '') yield { text: rest, tokenCount: session.tokenCount };
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
  return service.openStream(first.model, first.skipSpecialTokens);
}
