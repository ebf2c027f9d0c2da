import { describe, it, expect } from '@jest/globals';
import { blockKeys } from '@infermesh/kv-blocks';
import { defaultCatalogue } from './catalogue.js';
import { JinjaChatFormatter } from './chat/jinja-formatter.js';
import { SpecialSplitter } from './chat/special-splitter.js';
import { TokenizerRegistry } from './registry.js';
import { TokenizerService } from './tokenizer-service.js';

const service = new TokenizerService(new TokenizerRegistry(defaultCatalogue()));

describe('TokenizerService errors', () => {
  it('an empty model name is INVALID_ARGUMENT, an unknown one NOT_FOUND', async () => {
    await expect(service.tokenize({ model: '', input: { text: 'x' } })).rejects.toMatchObject({ code: 3 });
    await expect(service.tokenize({ model: 'nope', input: { text: 'x' } })).rejects.toMatchObject({ code: 5 });
    await expect(service.detokenize('nope', [1], false)).rejects.toMatchObject({ code: 5 });
  });

  it('rejects a prompt that with its reserve exceeds the context, naming both numbers', async () => {
    const err = service.tokenize({ model: 'qwen3-8b', input: { text: 'hello world' }, reserveTokens: 40959 });
    await expect(err).rejects.toMatchObject({
      code: 3,
      message: "prompt is 2 tokens; with 40959 reserved for output it exceeds the model's context of 40960 tokens",
    });
    await expect(service.tokenize({ model: 'qwen3-8b', input: { text: 'hello world' }, reserveTokens: 40958 })).resolves.toBeDefined();
  });

  it('rejects a prompt longer than the context without a reserve', async () => {
    const text = ' hello'.repeat(41000);
    await expect(service.tokenize({ model: 'qwen3-8b', input: { text } })).rejects.toMatchObject({
      code: 3,
      message: "prompt is 41000 tokens; it exceeds the model's context of 40960 tokens",
    });
  });

  it('rejects ids outside the vocabulary', async () => {
    await expect(service.detokenize('llama-3.1-8b-instruct', [1, 128256], false)).rejects.toMatchObject({ code: 3 });
    const session = await service.openStream('qwen3-8b', false);
    expect(() => session.push([-1])).toThrow(expect.objectContaining({ code: 3 }));
    expect(session.tokenCount).toBe(0);
  });
});

describe('TokenizerService.tokenize', () => {
  it('adds the BOS that Llama 3.1 adds by default, and none for Qwen3 or gpt-oss', async () => {
    expect((await service.tokenize({ model: 'llama-3.1-8b-instruct', input: { text: 'Hi' } })).tokenIds[0]).toBe(128000);
    expect((await service.tokenize({ model: 'qwen3-8b', input: { text: 'Hi' } })).tokenIds).toEqual([13048]);
  });

  it('returns salted block hashes of full blocks only', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(8);
    const res = await service.tokenize({ model: 'llama-3.1-8b-instruct', input: { text }, withBlockHashes: true, cacheSalt: 'tenant-a' });
    expect(res.blockSize).toBe(16);
    expect(res.contextLength).toBe(131072);
    expect(res.blockHashes).toHaveLength(Math.floor(res.tokenIds.length / 16));
    expect(res.blockHashes).toEqual(blockKeys(res.tokenIds, 16, 'tenant-a'));
    const other = await service.tokenize({ model: 'llama-3.1-8b-instruct', input: { text }, withBlockHashes: true, cacheSalt: 'tenant-b' });
    expect(other.blockHashes[0]).not.toBe(res.blockHashes[0]);
    expect((await service.tokenize({ model: 'llama-3.1-8b-instruct', input: { text } })).blockHashes).toEqual([]);
  });
});

describe('JinjaChatFormatter', () => {
  const splitter = new SpecialSplitter(['<s>', '<|x|>']);
  const tokens = { bosToken: '<s>', eosToken: '' };
  const chat = { messages: [{ role: 'user', content: 'my private words' }], addGenerationPrompt: false };

  it('a raise_exception in the template is INVALID_ARGUMENT with the template reason', () => {
    const f = new JinjaChatFormatter("{{ raise_exception('Conversation roles must alternate') }}", splitter, tokens);
    expect(() => f.render(chat)).toThrow(expect.objectContaining({ code: 3, message: expect.stringContaining('Conversation roles must alternate') }));
  });

  it('a renderer error never quotes the chat content', () => {
    const f = new JinjaChatFormatter('{{ messages[0].content | no_such_filter }}', splitter, tokens);
    expect(() => f.render(chat)).toThrow(expect.objectContaining({ code: 3, message: expect.not.stringContaining('private') }));
  });

  it('splits template specials from shielded user text', () => {
    const f = new JinjaChatFormatter('{{ bos_token }}{% for m in messages %}<|x|>{{ m.content }}{% endfor %}', splitter, tokens);
    expect(f.render({ messages: [{ role: 'user', content: 'a<|x|>b\uE000' }], addGenerationPrompt: false })).toEqual([
      { kind: 'special', token: '<s>' },
      { kind: 'special', token: '<|x|>' },
      { kind: 'text', text: 'a<|x|>b\uE000' },
    ]);
  });
});
