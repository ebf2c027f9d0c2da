import { describe, expect, it } from '@jest/globals';
import type { MeshError } from '@infermesh/errors';
import { Code } from '@infermesh/errors';
import { VirtualClock } from './clock.js';
import { SimEngine, type GenerateRequest } from './engine.js';
import { defaultEngineOptions, type EngineOptions } from './engine-options.js';
import type { EngineEvent } from './kv-events.js';
import { RecordingListener } from './recording-listener.js';

const MODEL = 'llama-3.1-8b-instruct';

function setup(overrides: Partial<EngineOptions> = {}) {
  const clock = new VirtualClock();
  const engine = new SimEngine({ ...defaultEngineOptions(), loadReportIntervalMs: 0, ...overrides }, clock);
  const events: EngineEvent[] = [];
  engine.watch((batch) => events.push(...batch));
  const run = (req: Partial<GenerateRequest> & { promptTokenIds: number[] }) => {
    const listener = new RecordingListener(() => clock.now());
    const handle = engine.submit({ model: MODEL, maxTokens: 8, cacheSalt: 'tenant-a', seed: 0n, ...req }, listener);
    return { listener, handle };
  };
  const settle = (...ls: RecordingListener[]) => clock.runUntil(() => ls.every((l) => l.done));
  return { clock, engine, events, run, settle };
}

const prompt = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => (i * 31 + offset) % 50_000);

describe('SimEngine', () => {
  it('generates exactly max_tokens deterministic ids from the regular vocabulary', () => {
    const a = setup();
    const r1 = a.run({ promptTokenIds: prompt(40), maxTokens: 25, seed: 7n });
    a.settle(r1.listener);
    expect(r1.listener.result).toEqual({
      finishReason: 'length',
      promptTokens: 40,
      cachedPromptTokens: 0,
      completionTokens: 25,
      preemptions: 0,
    });
    expect(r1.listener.tokens).toHaveLength(25);
    expect(r1.listener.startedCount).toBe(1);
    expect(r1.listener.finishedCount).toBe(1);
    for (const t of r1.listener.tokens) expect(t >= 0 && t < 128_000 && Number.isInteger(t)).toBe(true);

    const b = setup({ workerId: 'other', maxNumSeqs: 3 });
    const noise = b.run({ promptTokenIds: prompt(300, 5), maxTokens: 30 });
    const r2 = b.run({ promptTokenIds: prompt(40), maxTokens: 25, seed: 7n });
    const r3 = b.run({ promptTokenIds: prompt(40), maxTokens: 25, seed: 8n });
    b.settle(noise.listener, r2.listener, r3.listener);
    expect(r2.listener.tokens).toEqual(r1.listener.tokens);
    expect(r3.listener.tokens).not.toEqual(r1.listener.tokens);
    expect(new Set(r1.listener.tokens).size).toBeGreaterThan(20);
  });

  it('draws ids below each model\'s regular vocabulary size', () => {
    const { run, settle } = setup();
    const r = run({ model: 'qwen3-8b', promptTokenIds: prompt(10), maxTokens: 200 });
    settle(r.listener);
    expect(Math.max(...r.listener.tokens)).toBeLessThan(151_643);
    expect(r.listener.tokens).toHaveLength(200);
  });

  it('reuses a shared prefix and reports it as cached prompt tokens', () => {
    const { run, settle } = setup();
    const first = run({ promptTokenIds: prompt(100) });
    settle(first.listener);
    const shared = [...prompt(64), ...prompt(36, 9)];
    const second = run({ promptTokenIds: shared });
    settle(second.listener);
    expect(second.listener.cachedPromptTokens).toBe(64);
    expect(second.listener.result?.cachedPromptTokens).toBe(64);

    const other = run({ promptTokenIds: prompt(100), cacheSalt: 'tenant-b' });
    settle(other.listener);
    expect(other.listener.cachedPromptTokens).toBe(0);
  });

  it('always computes at least one prompt token, even on a full cache hit', () => {
    const { run, settle } = setup();
    const a = run({ promptTokenIds: prompt(64) });
    settle(a.listener);
    const b = run({ promptTokenIds: prompt(64) });
    settle(b.listener);
    expect(b.listener.cachedPromptTokens).toBe(48);
    expect(b.listener.tokens).toEqual(a.listener.tokens);
  });

  it('caches generated tokens: a follow-up turn reuses prompt plus output blocks', () => {
    const { run, settle } = setup();
    const a = run({ promptTokenIds: prompt(20), maxTokens: 30 });
    settle(a.listener);
    const turn2 = [...prompt(20), ...a.listener.tokens, 1, 2, 3];
    const b = run({ promptTokenIds: turn2 });
    settle(b.listener);
    // 20 prompt + 29 computed outputs (the last sampled token has no KV) = 49 tokens -> 3 full blocks.
    expect(b.listener.cachedPromptTokens).toBe(48);
  });

  it('aborting frees the sequence\'s blocks at the next step', () => {
    const { clock, engine, run, settle } = setup();
    const r = run({ promptTokenIds: prompt(100), maxTokens: 1000 });
    clock.runUntil(() => r.listener.tokens.length >= 3);
    expect(engine.stats().kvBlocksUsed).toBeGreaterThan(0);
    r.handle.abort();
    r.handle.abort();
    settle(r.listener);
    expect(r.listener.result?.finishReason).toBe('cancelled');
    expect(r.listener.finishedCount).toBe(1);
    expect(engine.stats()).toMatchObject({ running: 0, waiting: 0, kvBlocksUsed: 0 });
    engine.blockPool.checkInvariants();
  });

  it('rejects what it cannot serve with coded errors', () => {
    const { engine } = setup({ kvBlocks: 8, maxWaiting: 1 });
    const listener = new RecordingListener();
    const req = { model: MODEL, promptTokenIds: [1, 2, 3], maxTokens: 4, cacheSalt: '', seed: 0n };
    const code = (r: Partial<GenerateRequest>) => {
      try {
        engine.submit({ ...req, ...r }, listener);
        return undefined;
      } catch (err) {
        return (err as MeshError).code;
      }
    };
    expect(code({ model: 'nope' })).toBe(Code.NotFound);
    expect(code({ promptTokenIds: [] })).toBe(Code.InvalidArgument);
    expect(code({ maxTokens: 0 })).toBe(Code.InvalidArgument);
    expect(code({ maxTokens: 8 * 16 })).toBe(Code.InvalidArgument);
    expect(code({ model: 'qwen3-8b', promptTokenIds: [1], maxTokens: 40_960 })).toBe(Code.InvalidArgument);
    expect(code({})).toBeUndefined();
    expect(code({})).toBe(Code.ResourceExhausted);
  });

  it('emits load reports with occupancy and throughput', () => {
    const { clock, engine, events, run } = setup({ loadReportIntervalMs: 1000 });
    run({ promptTokenIds: prompt(500), maxTokens: 10_000 });
    clock.advance(1000);
    const load = events.filter((e) => e.kind === 'load');
    expect(load).toHaveLength(2);
    expect(load[0]).toMatchObject({ sequence: 1, running: 0, waiting: 0, kvBlocksUsed: 0 });
    load.shift();
    expect(load[0]).toMatchObject({ running: 1, waiting: 0, kvBlocksTotal: 4096 });
    const l = load[0] as Extract<EngineEvent, { kind: 'load' }>;
    expect(l.kvBlocksUsed).toBe(engine.stats().kvBlocksUsed);
    // 500 prefill tokens plus ~150 decode tokens/s on the H100 profile.
    expect(l.tokensPerSecond).toBeGreaterThan(500);
    expect(l.tokensPerSecond).toBeLessThan(800);
    engine.close();
  });
});
