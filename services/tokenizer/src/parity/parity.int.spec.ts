import { createRequire } from 'node:module';
import { describe, it, expect, beforeAll } from '@jest/globals';
import { Code } from '@infermesh/errors';
import { encodeSegments, type Segment } from '../backend.js';
import { defaultCatalogue, type ModelEntry } from '../catalogue.js';
import { buildCorpus } from '../corpus/corpus.js';
import { TokenizerRegistry } from '../registry.js';
import { TokenizerService } from '../tokenizer-service.js';
import { runReference, type ReferenceAnswer, type ReferenceModel } from './python-reference.js';
import { parityChats, toReference } from './reference-chats.js';

// Exact parity with the reference implementations (Python `tokenizers`, `tiktoken`, and
// transformers' apply_chat_template), run in one Python subprocess for the whole corpus and
// every catalogue model. Needs the venv of tools/scripts/ensure-python-refs.sh: without it the
// suite fails (never skips) with the command to run.

const require = createRequire(import.meta.url);
const catalogue = defaultCatalogue();
const service = new TokenizerService(new TokenizerRegistry(catalogue));
const corpus = buildCorpus();
const texts = corpus.map((e) => e.text);

const CHATS = parityChats(corpus.filter((e) => e.kind === 'prose').map((e) => e.text).join('\n'));
const FIRST_TOOL_CHAT = 5;

function referenceModel(m: ModelEntry): ReferenceModel {
  if (m.source.kind === 'tiktoken') return { id: m.id, kind: 'tiktoken', encoding: m.source.encoding };
  return {
    id: m.id,
    kind: 'hf',
    tokenizer_file: require.resolve(`${m.source.package}/${m.source.tokenizerFile}`),
    config_file: require.resolve(`${m.source.package}/${m.source.configFile}`),
    bos: m.bosToken ?? null,
  };
}

let reference: ReferenceAnswer;

beforeAll(async () => {
  const hfChats = catalogue.models.filter((m) => m.chat.kind === 'jinja');
  const models = catalogue.models.map(referenceModel);
  // Chats are rendered only for Jinja models: the reference script renders chats for every hf entry it gets.
  reference = await runReference({ texts, chats: hfChats.length > 0 ? CHATS.map(toReference) : [], models });
}, 120_000);

describe.each(catalogue.models.map((m) => [m.id, m] as const))('%s: ids identical to the reference', (_id, model) => {
  it('on every corpus entry (raw text, no special token recognised, catalogue BOS prepended)', async () => {
    const { backend } = await service.registry.get(model.id);
    const bos: Segment[] = model.bosToken === undefined ? [] : [{ kind: 'special', token: model.bosToken }];
    const expected = reference.models[model.id]!.texts;
    expect(expected).toHaveLength(texts.length);
    const mismatches: { index: number; kind: string; at: number; ours: number[]; reference: number[] }[] = [];
    for (let i = 0; i < texts.length; i++) {
      const ours = await encodeSegments(backend, [...bos, { kind: 'text', text: texts[i]! }]);
      const theirs = expected[i]!;
      let at = 0;
      while (at < ours.length && ours[at] === theirs[at]) at++;
      if (at < ours.length || at < theirs.length) {
        mismatches.push({ index: i, kind: corpus[i]!.kind, at, ours: ours.slice(Math.max(0, at - 2), at + 6), reference: theirs.slice(Math.max(0, at - 2), at + 6) });
      }
    }
    expect({ count: mismatches.length, first: mismatches.slice(0, 3) }).toEqual({ count: 0, first: [] });
  });

  if (model.source.kind === 'hf' && model.bosToken !== undefined && model.id !== 'llama-3.1-8b-instruct') {
    it('prepends exactly the BOS that the reference tokenizer adds by default', () => {
      expect(reference.models[model.id]!.default_adds_bos).toBe(true);
    });
  }

  if (model.chat.kind === 'jinja') {
    it.each(CHATS.map((c, i) => [i, i >= FIRST_TOOL_CHAT ? ' (tools)' : '', c] as const))('chat #%d%s renders as transformers apply_chat_template does', async (i, _tools, chat) => {
      const want = reference.models[model.id]!.chats![i]!;
      const call = service.tokenize({ model: model.id, input: { chat } });
      if ('error' in want) {
        // The template itself refuses this chat (e.g. Gemma 3's strict user/model alternation).
        await expect(call).rejects.toMatchObject({ code: Code.InvalidArgument, message: `chat template error: ${want.error}` });
        return;
      }
      const res = await call;
      expect(res.tokenIds).toEqual(want.ids);
      // Qwen3's tokenizer NFC-normalises its input, so its ids decode to the NFC form.
      expect(await service.detokenize(model.id, res.tokenIds, false)).toBe(model.id === 'qwen3-8b' ? want.text.normalize('NFC') : want.text);
    });
  }
});

// @huggingface/jinja's own `str.lstrip(chars)` ignores `chars` and strips all whitespace; the
// formatter routes strip calls to Python's semantics (chat/python-strings.ts), so Qwen3's
// `content.lstrip('\n')` keeps an assistant turn's leading spaces, as transformers does.
it('qwen3-8b: an assistant turn with leading spaces renders as in transformers', async () => {
  const messages = [{ role: 'user', content: 'hi' }, { role: 'assistant', content: '  spaced' }];
  const res = await service.tokenize({ model: 'qwen3-8b', input: { chat: { messages, addGenerationPrompt: false } } });
  expect(await service.detokenize('qwen3-8b', res.tokenIds, false)).toContain('</think>\n\n  spaced<|im_end|>');
});
