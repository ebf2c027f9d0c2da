import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { blockKeys } from '@infermesh/kv-blocks';
import { tokenizer } from '@infermesh/proto';
import { createClient, type Client, type RunningService } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultTokenizerOptions, startTokenizer } from './index.js';

let service: RunningService;
let client: Client<typeof tokenizer.Tokenizer>;

beforeAll(async () => {
  service = await startTokenizer({ ...defaultTokenizerOptions(), port: 0 }, { logger: createLogger({ service: 'tokenizer', level: 'silent' }) });
  client = createClient(tokenizer.Tokenizer, service.address, { name: 'tokenizer', timeoutMs: 20_000 });
});

afterAll(async () => {
  client.close();
  await service.stop(1000);
});

async function* requests(msgs: { model?: string; tokenIds: number[] }[]) {
  for (const m of msgs) yield m;
}

describe('tokenizer over gRPC', () => {
  it('tokenizes a chat and returns its block hashes', async () => {
    const chat = {
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Tell me about prefix caching in inference engines.' }],
      addGenerationPrompt: true,
    };
    const res = await client.tokenize({ model: 'llama-3.1-8b-instruct', input: { case: 'chat', value: chat }, withBlockHashes: true, cacheSalt: 't1' });
    expect(res.tokenIds[0]).toBe(128000);
    expect(res.blockSize).toBe(16);
    expect(res.contextLength).toBe(131072);
    expect(res.blockHashes.length).toBe(Math.floor(res.tokenIds.length / 16));
    expect(res.blockHashes.length).toBeGreaterThan(0);
    expect(res.blockHashes).toEqual(blockKeys(res.tokenIds, 16, 't1'));
  });

  it('streams detokenized text that adds up to the one-shot text', async () => {
    const text = 'Streaming 日本語 and emoji 🎉👍🏽 works.';
    const { tokenIds } = await client.tokenize({ model: 'qwen3-8b', input: { case: 'text', value: text } });
    const msgs = [{ model: 'qwen3-8b', tokenIds: [] as number[] }, ...tokenIds.map((id) => ({ tokenIds: [id] }))];
    let streamed = '';
    let lastCount = 0;
    for await (const res of client.detokenizeStream(requests(msgs))) {
      expect(res.text).not.toContain('\uFFFD');
      streamed += res.text;
      lastCount = res.tokenCount;
    }
    expect(streamed).toBe(text);
    expect(lastCount).toBe(tokenIds.length);
    expect((await client.detokenize({ model: 'qwen3-8b', tokenIds })).text).toBe(text);
  });

  it('answers NOT_FOUND for an unknown model', async () => {
    await expect(client.tokenize({ model: 'no-such-model', input: { case: 'text', value: 'hi' } })).rejects.toMatchObject({ code: 5 });
  });

  it('answers INVALID_ARGUMENT for a prompt over the context', async () => {
    const text = ' hello'.repeat(131072);
    await expect(client.tokenize({ model: 'llama-3.1-8b-instruct', input: { case: 'text', value: text }, reserveTokens: 16 })).rejects.toMatchObject({
      code: 3,
      message: expect.stringContaining("prompt is 131073 tokens; with 16 reserved for output it exceeds the model's context of 131072 tokens"),
    });
  });

  it('lists the catalogue', async () => {
    const { models } = await client.listModels({});
    expect(models.map((m) => m.id)).toEqual(['llama-3.1-8b-instruct', 'qwen3-8b', 'gpt-oss-20b']);
    expect(models[0]).toMatchObject({ regularVocabSize: 128000, eosTokenIds: [128001, 128008, 128009], blockSize: 16, contextLength: 131072 });
  });
});
