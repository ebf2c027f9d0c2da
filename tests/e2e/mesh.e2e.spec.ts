import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import type { MeshError } from '@infermesh/errors';
import { Code } from '@infermesh/errors';
import { common, kv, supervisor } from '@infermesh/proto';
import { createClient } from '@infermesh/rpc';
import { REPO_ROOT, startMeshProcess, waitFor, type MeshProcess } from '@infermesh/testing';
import { bearer, generate, meshClients, readEvents, usageByTenant, type MeshClients } from './mesh-clients.js';

const MODEL = 'llama-3.1-8b-instruct';
/** A marker placed in every prompt: it must never appear in logs or in the event log. */
const SECRET = 'ZEBRA-PROMPT-MARKER-7731';

let mesh: MeshProcess;
let c: MeshClients;

beforeAll(async () => {
  mesh = await startMeshProcess({ tenants: ['acme', 'globex'], workers: 4 });
  c = meshClients(mesh);
}, 90_000);

afterAll(async () => {
  c?.close();
  await mesh?.stop();
});

const key = (tenant: string) => mesh.apiKeys[tenant]!;
const openai = (tenant: string) => new OpenAI({ apiKey: key(tenant), baseURL: `http://${mesh.http}/v1`, maxRetries: 0 });

async function countTokens(text: string): Promise<number> {
  return (await c.tokenizer.tokenize({ model: MODEL, input: { case: 'text', value: text } })).tokenIds.length;
}

describe('the request path end to end', () => {
  it('streams concurrent requests from two tenants over gRPC and the OpenAI SDK, with exact text and usage', async () => {
    const prompts = Array.from({ length: 6 }, (_, i) => `${SECRET} request ${i}: explain continuous batching in ${i + 2} sentences.`);
    const grpcRuns = prompts.map((p, i) =>
      generate(c.inference, key(i % 2 === 0 ? 'acme' : 'globex'), { model: MODEL, input: { case: 'prompt', value: p }, maxTokens: 24 + i, seed: BigInt(i) }),
    );
    const sdkRuns = prompts.slice(0, 4).map(async (p, i) => {
      const stream = await openai(i % 2 === 0 ? 'globex' : 'acme').completions.create({ model: MODEL, prompt: p, max_tokens: 24 + i, seed: i, stream: true, stream_options: { include_usage: true } });
      let text = '';
      let usage: OpenAI.CompletionUsage | undefined;
      let finish: string | null | undefined;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.text ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) usage = chunk.usage;
      }
      return { text, usage, finish };
    });
    const [grpc, sdk] = await Promise.all([Promise.all(grpcRuns), Promise.all(sdkRuns)]);

    for (const [i, r] of grpc.entries()) {
      expect(r.final?.finishReason).toBe(common.FinishReason.LENGTH);
      expect(r.tokenIds).toHaveLength(24 + i);
      const detok = await c.tokenizer.detokenize({ model: MODEL, tokenIds: r.tokenIds });
      expect(r.text).toBe(detok.text);
      expect(r.final?.usage?.completionTokens).toBe(24 + i);
      expect(r.final?.usage?.promptTokens).toBe(await countTokens(prompts[i]!));
      expect(r.final?.timings?.timeToFirstTokenMs).toBeGreaterThan(0);
      expect(r.headers['x-request-id']).toBeTruthy();
    }
    // Same model, prompt and seed: the SDK's text is the detokenization of the gRPC run's ids.
    for (const [i, r] of sdk.entries()) {
      expect(r.finish).toBe('length');
      expect(r.usage?.completion_tokens).toBe(24 + i);
      expect(r.usage?.prompt_tokens).toBe(await countTokens(prompts[i]!));
      expect(r.text).toBe(grpc[i]!.text);
    }
  });

  it('serves every model it lists, with the streamed text equal to the detokenized ids', async () => {
    const models = (await c.inference.listModels({}, { headers: bearer(key('acme')) })).models;
    expect(models.length).toBeGreaterThanOrEqual(6);
    for (const m of models) {
      const r = await generate(c.inference, key('acme'), { model: m.id, input: { case: 'chat', value: { messages: [{ role: 'user', content: 'Hello there' }], addGenerationPrompt: true } }, maxTokens: 20 });
      expect([m.id, r.tokenIds.length]).toEqual([m.id, 20]);
      expect([m.id, r.text]).toEqual([m.id, (await c.tokenizer.detokenize({ model: m.id, tokenIds: r.tokenIds })).text]);
    }
  });

  it('serves chat completions with the model chat template, streamed and not', async () => {
    const messages = [
      { role: 'system' as const, content: 'You are terse.' },
      { role: 'user' as const, content: `${SECRET} What is a KV cache?` },
    ];
    const once = await openai('acme').chat.completions.create({ model: MODEL, messages, max_tokens: 12, seed: 5 });
    const rendered = await c.tokenizer.tokenize({ model: MODEL, input: { case: 'chat', value: { messages, addGenerationPrompt: true } } });
    expect(once.usage?.prompt_tokens).toBe(rendered.tokenIds.length);
    expect(once.usage?.completion_tokens).toBe(12);
    expect(once.choices[0]?.message.role).toBe('assistant');
    const stream = await openai('acme').chat.completions.create({ model: MODEL, messages, max_tokens: 12, seed: 5, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(once.choices[0]?.message.content);
    const models = await openai('acme').models.list();
    expect(models.data.map((m) => m.id)).toContain(MODEL);
  });

  it('renders OpenAI tools and tool calls with the model template: the prompt counts what the tokenizer renders', async () => {
    const weather = { type: 'function' as const, function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
    const messages = [
      { role: 'user' as const, content: 'Weather in Paris?' },
      { role: 'assistant' as const, content: null, tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool' as const, tool_call_id: 'call_1', content: '{"temp_c":18}' },
    ];
    const res = await openai('acme').chat.completions.create({ model: 'qwen3-8b', messages, tools: [weather], max_tokens: 4 });
    const rendered = await c.tokenizer.tokenize({
      model: 'qwen3-8b',
      input: {
        case: 'chat',
        value: {
          messages: [
            { role: 'user', content: 'Weather in Paris?' },
            { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
            { role: 'tool', content: '{"temp_c":18}', toolCallId: 'call_1' },
          ],
          tools: [{ name: 'get_weather', description: 'Weather for a city', parameters: JSON.stringify(weather.function.parameters) }],
          addGenerationPrompt: true,
        },
      },
    });
    expect(res.usage?.prompt_tokens).toBe(rendered.tokenIds.length);
    const withoutTools = await openai('acme').chat.completions.create({ model: 'qwen3-8b', messages: [{ role: 'user', content: 'Weather in Paris?' }], max_tokens: 4 });
    expect(res.usage!.prompt_tokens).toBeGreaterThan(withoutTools.usage!.prompt_tokens + 30);
    const bad = await openai('acme').chat.completions.create({ model: 'qwen3-8b', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters: 'not json' as unknown as Record<string, unknown> } }], max_tokens: 4 }).catch((e: unknown) => e as { status: number });
    expect((bad as { status: number }).status).toBe(400);
  });

  it('ends at a stop string that spans tokens, returns nothing after it, and bills up to it', async () => {
    const req = { model: MODEL, input: { case: 'prompt' as const, value: `${SECRET} stop-string probe` }, maxTokens: 48, seed: 11n };
    const full = await generate(c.inference, key('acme'), req);
    // A stop taken from the middle of the output, so it very likely spans a token boundary.
    const at = Math.floor(full.text.length / 2);
    const stop = full.text.slice(at, at + 5);
    const cut = full.text.indexOf(stop);
    const stopped = await generate(c.inference, key('acme'), { ...req, stop: [stop] });
    expect(stopped.final?.finishReason).toBe(common.FinishReason.STOP);
    expect(stopped.text).toBe(full.text.slice(0, cut));
    expect(stopped.tokenIds).toEqual(full.tokenIds.slice(0, stopped.tokenIds.length));
    expect(stopped.final!.usage!.completionTokens).toBe(stopped.tokenIds.length);
    expect(stopped.tokenIds.length).toBeLessThan(full.tokenIds.length);
    // The same through the OpenAI SDK.
    const sdk = await openai('acme').completions.create({ model: MODEL, prompt: req.input.value, max_tokens: 48, seed: 11, stop: [stop] });
    expect(sdk.choices[0]?.text).toBe(full.text.slice(0, cut));
    expect(sdk.choices[0]?.finish_reason).toBe('stop');
  });

  it('routes a request sharing a long prefix to the worker holding it and reports cached tokens', async () => {
    const prefix = `${SECRET} ` + Array.from({ length: 120 }, (_, i) => `Clause ${i}: the tenant agrees to term ${i * 7} of the agreement.`).join(' ');
    const first = await generate(c.inference, key('acme'), { model: MODEL, input: { case: 'prompt', value: `${prefix} First question?` }, maxTokens: 8 });
    const firstWorker = first.final!.workerId;
    const tok = await c.tokenizer.tokenize({ model: MODEL, input: { case: 'text', value: prefix }, withBlockHashes: true, cacheSalt: 'acme' });
    const kvClient = createClient(kv.KvDirectory, mesh.addresses['kv-directory']!, { name: 'kv' });
    // KV events travel worker -> supervisor -> bus -> directory; wait until the directory knows.
    await waitFor('the directory to index the prefix', async () => {
      const m = await kvClient.match({ model: MODEL, blockHashes: tok.blockHashes });
      return m.matches.find((x) => x.workerId === firstWorker && x.matchedBlocks >= tok.blockHashes.length - 1);
    });
    kvClient.close();
    // Load on other workers must not pull the second request away: run a few unrelated requests too.
    const [second] = await Promise.all([
      generate(c.inference, key('acme'), { model: MODEL, input: { case: 'prompt', value: `${prefix} Second, different question?` }, maxTokens: 8 }),
      ...[1, 2].map((i) => generate(c.inference, key('globex'), { model: MODEL, input: { case: 'prompt', value: `unrelated ${i}` }, maxTokens: 8 })),
    ]);
    expect(second.final!.workerId).toBe(firstWorker);
    expect(second.final!.usage!.cachedPromptTokens).toBeGreaterThanOrEqual((tok.blockHashes.length - 1) * 16);
    expect(second.final!.usage!.cachedPromptTokens % 16).toBe(0);
    // Another tenant with the same prompt shares nothing (per-tenant cache salt).
    const other = await generate(c.inference, key('globex'), { model: MODEL, input: { case: 'prompt', value: `${prefix} Second, different question?` }, maxTokens: 4 });
    expect(other.final!.usage!.cachedPromptTokens).toBe(0);
  });
});

describe('bad input', () => {
  const grpcError = async (apiKey: string | undefined, req: Parameters<MeshClients['inference']['generate']>[0]) => {
    try {
      for await (const _ of c.inference.generate(req, { headers: apiKey === undefined ? {} : bearer(apiKey) })) {
        // drain
      }
    } catch (err) {
      return err as MeshError;
    }
    throw new Error('expected an error');
  };

  it('answers each with the right gRPC status and a clear message, bills nothing, and keeps serving', async () => {
    await waitFor('billing to settle', async () => (await settledUsage()) !== undefined);
    const before = usageByTenant(await readEvents(mesh.eventLogDir));
    const prompt = { case: 'prompt' as const, value: `${SECRET} hello` };
    const cases: Array<[string, string | undefined, Parameters<MeshClients['inference']['generate']>[0], number, RegExp]> = [
      ['no key', undefined, { model: MODEL, input: prompt }, Code.Unauthenticated, /API key/],
      ['bad key', 'im-wrong', { model: MODEL, input: prompt }, Code.Unauthenticated, /invalid API key/],
      ['unknown model', key('acme'), { model: 'gpt-9', input: prompt }, Code.NotFound, /gpt-9/],
      ['empty prompt', key('acme'), { model: MODEL, input: { case: 'prompt', value: '' } }, Code.InvalidArgument, /prompt/],
      ['no input', key('acme'), { model: MODEL }, Code.InvalidArgument, /prompt/],
      ['max_tokens 0', key('acme'), { model: MODEL, input: prompt, maxTokens: 0 }, Code.InvalidArgument, /max_tokens/],
      ['max_tokens negative', key('acme'), { model: MODEL, input: prompt, maxTokens: -3 }, Code.InvalidArgument, /max_tokens/],
      ['max_tokens beyond context', key('acme'), { model: MODEL, input: prompt, maxTokens: 500_000 }, Code.InvalidArgument, /131072/],
      ['oversized payload', key('acme'), { model: MODEL, input: { case: 'prompt', value: 'x'.repeat(5 * 1024 * 1024) } }, Code.ResourceExhausted, /./],
    ];
    for (const [name, apiKey, req, code, message] of cases) {
      const err = await grpcError(apiKey, req);
      expect([name, err.code]).toEqual([name, code]);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(SECRET);
    }

    // Invalid UTF-8 cannot be built with a typed client: send the raw bytes.
    const { Client, credentials, Metadata } = await import('@grpc/grpc-js');
    const raw = new Client(mesh.grpc, credentials.createInsecure());
    const model = Buffer.from(MODEL);
    const body = Buffer.concat([Buffer.from([0x0a, model.length]), model, Buffer.from([0x12, 0x03, 0x61, 0xc3, 0x28])]);
    const md = new Metadata();
    md.set('authorization', `Bearer ${key('acme')}`);
    const utf8Err = await new Promise<{ code: number; details: string }>((resolve) => {
      const call = raw.makeServerStreamRequest('/infermesh.inference.v1.Inference/Generate', (b: Buffer) => b, (b: Buffer) => b, body, md, {});
      call.on('data', () => undefined);
      call.on('error', (e: { code: number; details: string }) => resolve(e));
    });
    raw.close();
    expect(utf8Err.code).toBe(Code.InvalidArgument);
    expect(utf8Err.details).toMatch(/UTF-8|malformed/i);

    // The same over HTTP.
    const url = `http://${mesh.http}/v1/completions`;
    const post = (body: string | Buffer, headers: Record<string, string> = {}) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key('acme')}`, ...headers }, body });
    const json = (o: unknown) => JSON.stringify(o);
    const httpCases: Array<[string, Promise<Response>, number, RegExp]> = [
      ['no key', fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: json({ model: MODEL, prompt: 'hi' }) }), 401, /API key/],
      ['unknown model', post(json({ model: 'gpt-9', prompt: 'hi' })), 404, /gpt-9/],
      ['empty prompt', post(json({ model: MODEL, prompt: '' })), 400, /prompt/],
      ['max_tokens 0', post(json({ model: MODEL, prompt: 'hi', max_tokens: 0 })), 400, /max_tokens/],
      ['max_tokens negative', post(json({ model: MODEL, prompt: 'hi', max_tokens: -1 })), 400, /max_tokens/],
      ['max_tokens beyond context', post(json({ model: MODEL, prompt: 'hi', max_tokens: 10_000_000 })), 400, /context/],
      ['malformed JSON', post('{"model": "x", "prompt": '), 400, /JSON/],
      ['invalid UTF-8', post(Buffer.concat([Buffer.from(`{"model":"${MODEL}","prompt":"a`), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])), 400, /UTF-8/],
      ['oversized payload', postEarlyResponse(url, key('acme'), json({ model: MODEL, prompt: 'x'.repeat(5 * 1024 * 1024) })), 413, /too large/],
    ];
    for (const [name, pending, status, message] of httpCases) {
      const res = await pending;
      const body = (await res.json()) as { error: { message: string; type: string } };
      expect([name, res.status]).toEqual([name, status]);
      expect(body.error.message).toMatch(message);
      expect(body.error.type).toBeTruthy();
    }

    // Still serving, and no rejected request was billed.
    const ok = await generate(c.inference, key('acme'), { model: MODEL, input: prompt, maxTokens: 3 });
    expect(ok.final?.usage?.completionTokens).toBe(3);
    const after = usageByTenant(await readEvents(mesh.eventLogDir));
    expect(after.get('acme')!.requests).toBe((before.get('acme')?.requests ?? 0) + 1);
    expect(after.get('globex')?.requests ?? 0).toBe(before.get('globex')?.requests ?? 0);
  });
});

describe('faults', () => {
  it('a worker killed mid-stream: UNAVAILABLE to the client, worker replaced, lease released, partial usage billed once', async () => {
    const workersBefore = (await c.supervisor.listWorkers({})).workers;
    let victimPid = 0;
    let received = 0;
    let error: MeshError | undefined;
    let requestId = '';
    try {
      await generate(c.inference, key('globex'), { model: MODEL, input: { case: 'prompt', value: `${SECRET} a long story please` }, maxTokens: 4000 }, (soFar) => {
        received = soFar.tokenIds.length;
        requestId = soFar.headers['x-request-id'] ?? '';
        if (victimPid === 0 && soFar.tokenIds.length >= 20) {
          const victim = workersBefore.find((w) => w.workerId === soFar.headers['x-worker-id'])!;
          victimPid = victim.pid;
          process.kill(victimPid, 'SIGKILL');
        }
      });
    } catch (err) {
      error = err as MeshError;
    }
    expect(victimPid).toBeGreaterThan(0);
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.message).toMatch(/worker .* was lost/);

    const replaced = await waitFor('the supervisor to replace the worker', async () => {
      const ws = (await c.supervisor.listWorkers({})).workers.filter((w) => w.state === supervisor.WorkerState.READY);
      return ws.length === workersBefore.length && !ws.some((w) => w.pid === victimPid) ? ws : undefined;
    }, 20_000);
    expect(replaced).toHaveLength(workersBefore.length);
    await waitFor('the lease to be released', async () => (await c.scheduler.getStats({})).activeLeases === 0);

    const events = await readEvents(mesh.eventLogDir);
    const usage = events.filter((e) => e.requestId === requestId && e.payload.case === 'usageRecorded');
    expect(usage).toHaveLength(1);
    const u = usage[0]!.payload.value as { usage: common.Usage; finishReason: common.FinishReason };
    expect(u.finishReason).toBe(common.FinishReason.ERROR);
    expect(u.usage.completionTokens).toBeGreaterThanOrEqual(received);
    expect(events.some((e) => e.requestId === requestId && e.payload.case === 'requestFailed')).toBe(true);

    // The mesh keeps serving on the replacement fleet.
    const ok = await generate(c.inference, key('globex'), { model: MODEL, input: { case: 'prompt', value: 'after the crash' }, maxTokens: 4 });
    expect(ok.final?.usage?.completionTokens).toBe(4);
  }, 60_000);
});

describe('cancellation and deadlines', () => {
  it('a client that disconnects mid-stream stops the work: cancelled event, partial usage once, lease released', async () => {
    const ac = new AbortController();
    const res = await fetch(`http://${mesh.http}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key('acme')}` },
      body: JSON.stringify({ model: MODEL, prompt: `${SECRET} tell me everything`, max_tokens: 4000, stream: true }),
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id')!;
    const reader = res.body!.getReader();
    let events = 0;
    while (events < 5) {
      const { value } = await reader.read();
      events += (Buffer.from(value!).toString().match(/^data: /gm) ?? []).length;
    }
    ac.abort();
    const usage = await waitFor('the cancellation to be recorded', async () => {
      const all = await readEvents(mesh.eventLogDir);
      const mine = all.filter((e) => e.requestId === requestId);
      return mine.some((e) => e.payload.case === 'requestCancelled') ? mine.filter((e) => e.payload.case === 'usageRecorded') : undefined;
    });
    expect(usage).toHaveLength(1);
    const u = usage[0]!.payload.value as { usage: common.Usage; finishReason: common.FinishReason };
    expect(u.finishReason).toBe(common.FinishReason.CANCELLED);
    expect(u.usage.completionTokens).toBeGreaterThan(0);
    expect(u.usage.completionTokens).toBeLessThan(4000);
    await waitFor('the lease to be released', async () => (await c.scheduler.getStats({})).activeLeases === 0);
  });

  it('a gRPC client that cancels mid-stream gets its partial usage billed exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const ac = new AbortController();
      let requestId = '';
      let seen = 0;
      await (async () => {
        for await (const m of c.inference.generate(
          { model: MODEL, input: { case: 'prompt', value: `cancel me ${i}` }, maxTokens: 4000 },
          { headers: bearer(key('acme')), signal: ac.signal, onHeaders: (h) => (requestId = h['x-request-id'] ?? '') },
        )) {
          if (m.event.case === 'chunk' && ++seen === 3 + i) ac.abort();
        }
      })().catch((e: unknown) => expect((e as MeshError).code).toBe(Code.Cancelled));
      ids.push(requestId);
    }
    const all = await waitFor('every cancellation to be recorded', async () => {
      const events = await readEvents(mesh.eventLogDir);
      return ids.every((id) => events.some((e) => e.requestId === id && e.payload.case === 'usageRecorded')) ? events : undefined;
    });
    for (const id of ids) {
      const usage = all.filter((e) => e.requestId === id && e.payload.case === 'usageRecorded');
      expect(usage).toHaveLength(1);
      expect((usage[0]!.payload.value as { finishReason: common.FinishReason }).finishReason).toBe(common.FinishReason.CANCELLED);
      expect(all.filter((e) => e.requestId === id && e.payload.case === 'requestCancelled')).toHaveLength(1);
    }
    await waitFor('the leases to be released', async () => (await c.scheduler.getStats({})).activeLeases === 0);
  });

  it('a gRPC deadline ends the request with DEADLINE_EXCEEDED and bills the partial usage once', async () => {
    let requestId = '';
    const err = await (async () => {
      for await (const _ of c.inference.generate(
        { model: MODEL, input: { case: 'prompt', value: `${SECRET} a very long answer` }, maxTokens: 4000 },
        { headers: bearer(key('globex')), timeoutMs: 1500, onHeaders: (h) => (requestId = h['x-request-id'] ?? '') },
      )) {
        // consume until the deadline
      }
    })().catch((e: unknown) => e as MeshError);
    expect((err as MeshError).code).toBe(Code.DeadlineExceeded);
    const mine = await waitFor('the deadline to be recorded', async () => {
      const all = (await readEvents(mesh.eventLogDir)).filter((e) => e.requestId === requestId);
      return all.some((e) => e.payload.case === 'usageRecorded') ? all : undefined;
    });
    const cancelled = mine.find((e) => e.payload.case === 'requestCancelled');
    expect((cancelled?.payload.value as { reason: string }).reason).toBe('deadline_exceeded');
    expect(mine.filter((e) => e.payload.case === 'usageRecorded')).toHaveLength(1);
    await waitFor('the lease to be released', async () => (await c.scheduler.getStats({})).activeLeases === 0);
  });
});

/**
 * POSTs a body with `Expect: 100-continue`, sending it only when the server asks for it: a server
 * that refuses the declared size answers at once, and the client reads that answer instead of
 * racing its own upload into a closed connection.
 */
function postEarlyResponse(url: string, apiKey: string, body: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'content-length': Buffer.byteLength(body), expect: '100-continue' } }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => resolve(new Response(Buffer.concat(parts), { status: res.statusCode ?? 0 })));
    });
    req.on('continue', () => req.end(body));
    req.on('error', reject);
    req.flushHeaders();
  });
}

/** Billing's GetUsage per tenant, once it equals the usage events in the log (undefined until then). */
async function settledUsage(): Promise<Map<string, UsageTotals> | undefined> {
  const sums = usageByTenant(await readEvents(mesh.eventLogDir));
  const out = new Map<string, UsageTotals>();
  for (const tenant of ['acme', 'globex']) {
    const res = await c.billing.getUsage({}, { headers: bearer(key(tenant)) });
    const t = res.total!;
    const s = sums.get(tenant) ?? { requests: 0 };
    if (Number(t.requests) !== s.requests) return undefined;
    out.set(tenant, { requests: Number(t.requests), promptTokens: Number(t.promptTokens), cachedPromptTokens: Number(t.cachedPromptTokens), completionTokens: Number(t.completionTokens), amountMicros: t.amountMicros });
  }
  return out;
}

interface UsageTotals {
  requests: number;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  amountMicros: bigint;
}

describe('billing and audit', () => {
  it("GetUsage per tenant equals the sum of that tenant's usage events, and a tenant sees only its own", async () => {
    const totals = await waitFor('billing to consume every usage event', settledUsage, 15_000);
    const sums = usageByTenant(await readEvents(mesh.eventLogDir));
    for (const tenant of ['acme', 'globex']) {
      const t = totals.get(tenant)!;
      const s = sums.get(tenant)!;
      expect({ ...t, amountMicros: undefined }).toEqual({ ...s, amountMicros: undefined });
      expect(t.amountMicros).toBeGreaterThan(0n);
    }
    const denied = await c.billing.getUsage({ tenantId: 'globex' }, { headers: bearer(key('acme')) }).catch((e: unknown) => e as MeshError);
    expect((denied as MeshError).code).toBe(Code.PermissionDenied);
    const anonymous = await c.billing.getUsage({}).catch((e: unknown) => e as MeshError);
    expect((anonymous as MeshError).code).toBe(Code.Unauthenticated);
  });

  it('replaying the log into an empty store reproduces the live ledger exactly', () => {
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/cli/dist/main.js'), 'replay', '--log', mesh.eventLogDir, '--billing', mesh.addresses['billing']!, '--admin-token', mesh.adminToken], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toMatch(/hash chains verified/);
    expect(run.stdout).toMatch(/REPLAY MATCHES/);
    expect(run.status).toBe(0);
  });

  it('never writes prompt or completion text to logs or events', () => {
    expect(mesh.logs().length).toBeGreaterThan(0);
    expect(mesh.logs()).not.toContain(SECRET);
    for (const f of readdirSync(mesh.eventLogDir)) expect(readFileSync(join(mesh.eventLogDir, f)).includes(SECRET)).toBe(false);
  });
});
