import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { blockKeys } from '@infermesh/kv-blocks';
import { tokenizer } from '@infermesh/proto';
import { Client as GrpcClient, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
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

async function* requests(msgs: { model?: string; tokenIds: number[]; stop?: string[] }[]) {
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

  it('carries tools, tool calls and tool_call_id to the template, and names a malformed tool JSON field', async () => {
    const tools = [{ name: 'get_weather', description: 'Weather.', parameters: '{"type":"object","properties":{"city":{"type":"string"}}}' }];
    const messages = [
      { role: 'user', content: 'Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', content: 'sunny', toolCallId: 'c1' },
    ];
    const res = await client.tokenize({ model: 'gpt-oss-20b', input: { case: 'chat', value: { messages, tools, addGenerationPrompt: true } } });
    const text = (await client.detokenize({ model: 'gpt-oss-20b', tokenIds: res.tokenIds })).text;
    expect(text).toContain('type get_weather = (_: {\ncity?: string,\n}) => any;');
    expect(text).toContain('<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>{"city":"Paris"}<|call|>');
    expect(text).toContain('<|start|>functions.get_weather to=assistant<|channel|>commentary<|message|>sunny<|end|>');
    const bad = { messages, tools: [{ ...tools[0]!, parameters: '{' }], addGenerationPrompt: true };
    await expect(client.tokenize({ model: 'qwen3-8b', input: { case: 'chat', value: bad } })).rejects.toMatchObject({ code: 3, message: expect.stringContaining('chat.tools[0].parameters') });
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
    expect(models.map((m) => m.id)).toEqual(['llama-3.1-8b-instruct', 'qwen3-8b', 'gemma-3-27b-it', 'gpt-oss-20b', 'openai-o200k', 'openai-cl100k']);
    expect(models[0]).toMatchObject({ regularVocabSize: 128000, eosTokenIds: [128001, 128008, 128009], blockSize: 16, contextLength: 131072 });
  });
});

describe('tokenizer over gRPC: batch, count, stops, bad input', () => {
  it('tokenizes a batch with a per-item status', async () => {
    const { results } = await client.tokenizeBatch({
      requests: [
        { model: 'openai-cl100k', input: { case: 'text', value: 'hello world' } },
        { model: 'no-such-model', input: { case: 'text', value: 'x' } },
        { model: 'gemma-3-27b-it', input: { case: 'text', value: 'hello' }, reserveTokens: 131072 },
      ],
    });
    expect(results.map((r) => r.errorCode)).toEqual([0, 5, 3]);
    expect(results[0]!.response!.tokenIds).toEqual([15339, 1917]);
    expect(results[2]!.errorMessage).toContain("exceeds the model's context of 131072 tokens");
    await expect(client.tokenizeBatch({ requests: [] })).rejects.toMatchObject({ code: 3 });
  });

  it('counts a chat exactly as Tokenize does, and reports whether it fits', async () => {
    const chat = { messages: [{ role: 'user', content: 'Count me, please.' }], addGenerationPrompt: true };
    const { tokenIds } = await client.tokenize({ model: 'gemma-3-27b-it', input: { case: 'chat', value: chat } });
    const res = await client.count({ model: 'gemma-3-27b-it', input: { case: 'chat', value: chat }, reserveTokens: 131072 });
    expect(res).toMatchObject({ tokenCount: tokenIds.length, contextLength: 131072, fitsContext: false });
    await expect(client.count({ model: 'nope', input: { case: 'text', value: 'x' } })).rejects.toMatchObject({ code: 5 });
  });

  it('stops the stream at a stop string spanning tokens, never emitting what follows', async () => {
    const { tokenIds } = await client.tokenize({ model: 'openai-o200k', input: { case: 'text', value: 'Result: 7 END_OF_ANSWER trailing secret' } });
    const msgs = [{ model: 'openai-o200k', tokenIds: [] as number[], stop: ['END_OF_ANSWER'] }, ...tokenIds.map((id) => ({ tokenIds: [id] }))];
    const out = [];
    for await (const res of client.detokenizeStream(requests(msgs))) out.push(res);
    expect(out.map((r) => r.text).join('')).toBe('Result: 7 ');
    expect(out.at(-1)).toMatchObject({ stopped: true, matchedStop: 'END_OF_ANSWER' });
    expect(out.at(-1)!.tokenCount).toBeLessThan(tokenIds.length);
  });

  it('answers invalid UTF-8 in the text with INVALID_ARGUMENT and keeps serving', async () => {
    const raw = new GrpcClient(service.address, credentials.createInsecure());
    // field 1 (model) "qwen3-8b", field 2 (text) holding 0xC3 0x28, an invalid UTF-8 sequence.
    const body = Buffer.concat([Buffer.from([0x0a, 8]), Buffer.from('qwen3-8b'), Buffer.from([0x12, 2, 0xc3, 0x28])]);
    const err = await new Promise<ServiceError>((resolve) =>
      raw.makeUnaryRequest('/infermesh.tokenizer.v1.Tokenizer/Tokenize', (b: Buffer) => b, (b: Buffer) => b, body, new Metadata(), {}, (e: ServiceError | null) => resolve(e!)),
    );
    raw.close();
    expect(err.code).toBe(3);
    expect((await client.tokenize({ model: 'qwen3-8b', input: { case: 'text', value: 'still here' } })).tokenIds.length).toBeGreaterThan(0);
  });
});
