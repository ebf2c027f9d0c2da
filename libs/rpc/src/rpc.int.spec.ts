import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client as GrpcClient, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Code, MeshError, invalidArgument } from '@infermesh/errors';
import { engine, kv, tokenizer } from '@infermesh/proto';
import { createLogger } from '@infermesh/telemetry';
import { createClient, createServer, type CallContext, type MeshServer } from './index.js';

const logger = createLogger({ service: 'rpc-test', level: 'silent' });

describe('rpc adapter over real gRPC', () => {
  let server: MeshServer;
  let address: string;
  const seen: { deadline?: Date | undefined; traceId?: string; requestId?: string; cancelled?: boolean } = {};

  beforeAll(async () => {
    server = createServer({ name: 'test', host: '127.0.0.1', port: 0, logger });
    server.add(kv.KvDirectory, {
      async match(req: kv.MatchRequest, ctx: CallContext) {
        seen.deadline = ctx.deadline;
        seen.traceId = ctx.traceId;
        seen.requestId = ctx.requestId;
        if (req.model === '') throw invalidArgument('model is required', 'model');
        if (req.model === 'boom') throw new Error('secret internals');
        if (req.model === 'slow') await new Promise((r) => setTimeout(r, 2000));
        ctx.setHeader('x-served-by', 'test');
        return { matches: [{ workerId: 'w1', matchedBlocks: req.blockHashes.length }] };
      },
      async getStats() {
        return { blocksIndexed: 7n };
      },
    });
    server.add(engine.Engine, {
      async *generate(req: engine.EngineGenerateRequest, ctx: CallContext) {
        yield { event: { case: 'started', value: { cachedPromptTokens: 0 } } };
        for (let i = 0; i < req.maxTokens; i++) {
          if (ctx.signal.aborted) {
            seen.cancelled = true;
            return;
          }
          yield { event: { case: 'tokens', value: { tokenIds: [i] } } };
          await new Promise((r) => setTimeout(r, 5));
        }
        if (ctx.signal.aborted) seen.cancelled = true;
      },
      async *watchEvents() {},
      async getInfo() {
        return { workerId: 'w1' };
      },
      async cancel() {
        return { cancelled: false };
      },
    });
    server.add(tokenizer.Tokenizer, {
      async tokenize() {
        return {};
      },
      async detokenize() {
        return {};
      },
      async *detokenizeStream(reqs: AsyncIterable<tokenizer.DetokenizeStreamRequest>) {
        let n = 0;
        for await (const r of reqs) {
          n += r.tokenIds.length;
          yield { text: r.tokenIds.join(','), tokenCount: n };
        }
      },
      async listModels() {
        return { models: [] };
      },
      async tokenizeBatch() {
        return {};
      },
      async count() {
        return {};
      },
    });
    ({ address } = await server.start());
  });

  afterAll(async () => {
    await server.shutdown(100);
  });

  it('round-trips a unary call with headers, request id and trace context', async () => {
    const client = createClient(kv.KvDirectory, address, { name: 'kv' });
    let headers: Record<string, string> = {};
    const res = await client.match({ model: 'm', blockHashes: [1n, 2n, 3n] }, { timeoutMs: 1000, headers: { 'x-request-id': 'req-42' }, onHeaders: (h) => (headers = h) });
    expect(res.matches[0]?.matchedBlocks).toBe(3);
    expect(headers['x-served-by']).toBe('test');
    expect(seen.requestId).toBe('req-42');
    expect(seen.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.deadline!.getTime()).toBeGreaterThan(Date.now());
    expect(seen.deadline!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect((await client.getStats({})).blocksIndexed).toBe(7n);
    client.close();
  });

  it('maps MeshError to a status with details, and hides internal errors', async () => {
    const client = createClient(kv.KvDirectory, address, { name: 'kv' });
    const err = (await client.match({ model: '' }).catch((e: unknown) => e)) as MeshError;
    expect(err).toBeInstanceOf(MeshError);
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.message).toBe('model is required');
    expect(err.details['param']).toBe('model');
    const internal = (await client.match({ model: 'boom' }).catch((e: unknown) => e)) as MeshError;
    expect(internal.code).toBe(Code.Internal);
    expect(internal.message).not.toContain('secret');
    client.close();
  });

  it('enforces the deadline of a call and inherits the parent deadline', async () => {
    const client = createClient(kv.KvDirectory, address, { name: 'kv' });
    const started = Date.now();
    const err = (await client.match({ model: 'slow' }, { timeoutMs: 100 }).catch((e: unknown) => e)) as MeshError;
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(1500);
    const parent = { deadline: new Date(Date.now() + 150), requestId: 'p1', spanContext: { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: 1 } } as unknown as CallContext;
    const err2 = (await client.match({ model: 'slow' }, { parent }).catch((e: unknown) => e)) as MeshError;
    expect(err2.code).toBe(Code.DeadlineExceeded);
    expect(seen.traceId).toBe('a'.repeat(32));
    expect(seen.requestId).toBe('p1');
    client.close();
  });

  it('streams, and cancelling the consumer cancels the server side', async () => {
    const client = createClient(engine.Engine, address, { name: 'engine' });
    const all: number[] = [];
    for await (const m of client.generate({ maxTokens: 5 })) if (m.event.case === 'tokens') all.push(...m.event.value.tokenIds);
    expect(all).toEqual([0, 1, 2, 3, 4]);
    const ac = new AbortController();
    let got = 0;
    const err = await (async () => {
      for await (const m of client.generate({ maxTokens: 10_000 }, { signal: ac.signal })) {
        if (m.event.case === 'tokens' && ++got === 3) ac.abort();
      }
    })().catch((e: unknown) => e);
    expect((err as MeshError).code).toBe(Code.Cancelled);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.cancelled).toBe(true);
    client.close();
  });

  it('runs bidi streams', async () => {
    const client = createClient(tokenizer.Tokenizer, address, { name: 'tok' });
    async function* input() {
      yield { model: 'm', tokenIds: [1, 2] };
      yield { tokenIds: [3] };
    }
    const out: string[] = [];
    for await (const m of client.detokenizeStream(input())) out.push(`${m.text}/${m.tokenCount}`);
    expect(out).toEqual(['1,2/2', '3/3']);
    client.close();
  });

  it('serves grpc.health.v1 and reflection', async () => {
    const raw = new GrpcClient(address, credentials.createInsecure());
    const healthy = await new Promise<Buffer>((resolve, reject) =>
      raw.makeUnaryRequest('/grpc.health.v1.Health/Check', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0x00]), new Metadata(), {}, (e: ServiceError | null, r?: Buffer) => (e ? reject(e) : resolve(r!))),
    );
    expect([...healthy]).toEqual([0x08, 0x01]); // status: SERVING
    const services = await new Promise<string>((resolve, reject) => {
      const call = raw.makeBidiStreamRequest('/grpc.reflection.v1.ServerReflection/ServerReflectionInfo', (b: Buffer) => b, (b: Buffer) => b, new Metadata(), {});
      call.on('data', (b: Buffer) => resolve(b.toString('latin1')));
      call.on('error', reject);
      call.write(Buffer.from([0x3a, 0x01, 0x2a])); // list_services: "*"
      call.end();
    });
    expect(services).toContain('infermesh.kv.v1.KvDirectory');
    expect(services).toContain('infermesh.worker.v1.Engine');
    raw.close();
  });
});

describe('circuit breaker', () => {
  it('opens after repeated UNAVAILABLE and then fails fast', async () => {
    const client = createClient(kv.KvDirectory, '127.0.0.1:1', { name: 'kv-down', timeoutMs: 300, breaker: { volumeThreshold: 3, resetTimeoutMs: 60_000 } });
    for (let i = 0; i < 4; i++) {
      const e = (await client.match({ model: 'm' }).catch((x: unknown) => x)) as MeshError;
      expect([Code.Unavailable, Code.DeadlineExceeded]).toContain(e.code);
    }
    expect(client.breakerState()).toBe('open');
    const started = Date.now();
    const e = (await client.match({ model: 'm' }).catch((x: unknown) => x)) as MeshError;
    expect(e.code).toBe(Code.Unavailable);
    expect(e.message).toContain('circuit open');
    // Failing fast, not waiting out the 300 ms call timeout.
    expect(Date.now() - started).toBeLessThan(250);
    client.close();
  });

  it('does not count answers such as INVALID_ARGUMENT as failures', async () => {
    const server = createServer({ name: 't', host: '127.0.0.1', port: 0, logger });
    server.add(kv.KvDirectory, {
      async match() {
        throw invalidArgument('nope');
      },
      async getStats() {
        return {};
      },
    });
    const { address } = await server.start();
    const client = createClient(kv.KvDirectory, address, { name: 'kv', breaker: { volumeThreshold: 2 } });
    for (let i = 0; i < 6; i++) await client.match({}).catch(() => undefined);
    expect(client.breakerState()).toBe('closed');
    client.close();
    await server.shutdown(100);
  });
});

// Keep the message helpers referenced so serialization of init shapes is covered.
it('serializes init shapes and messages alike', () => {
  const m = create(kv.MatchRequestSchema, { model: 'x', blockHashes: [5n] });
  expect(fromBinary(kv.MatchRequestSchema, toBinary(kv.MatchRequestSchema, m)).blockHashes).toEqual([5n]);
});

it('answers a request with invalid UTF-8 in a string field with INVALID_ARGUMENT', async () => {
  const server = createServer({ name: 't', host: '127.0.0.1', port: 0, logger });
  server.add(kv.KvDirectory, {
    async match() {
      return {};
    },
    async getStats() {
      return {};
    },
  });
  const { address } = await server.start();
  const raw = new GrpcClient(address, credentials.createInsecure());
  // field 1 (model), length 2: 0xC3 0x28 is an invalid UTF-8 sequence.
  const err = await new Promise<ServiceError>((resolve) =>
    raw.makeUnaryRequest('/infermesh.kv.v1.KvDirectory/Match', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x0a, 0x02, 0xc3, 0x28]), new Metadata(), {}, (e: ServiceError | null) => resolve(e!)),
  );
  expect(err.code).toBe(Code.InvalidArgument);
  expect(err.details).toContain('infermesh.kv.v1.MatchRequest');
  raw.close();
  await server.shutdown(100);
});
