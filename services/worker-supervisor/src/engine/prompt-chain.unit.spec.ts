import { describe, expect, it } from '@jest/globals';
import { Code } from '@infermesh/errors';
import { hashBlocks } from '@infermesh/kv-blocks';
import { VirtualClock } from './clock.js';
import { SimEngine } from './engine.js';
import { defaultEngineOptions } from './engine-options.js';
import type { EngineEvent } from './kv-events.js';
import { RecordingListener } from './recording-listener.js';

const MODEL = 'llama-3.1-8b-instruct';
const tokens = Array.from({ length: 100 }, (_, i) => (i * 7919) % 120_000);

/** Runs one request to the end and returns the engine and every block key it stored. */
function serve(withChain: boolean, prompt: ArrayLike<number> = tokens) {
  const clock = new VirtualClock();
  const engine = new SimEngine({ ...defaultEngineOptions(), loadReportIntervalMs: 0 }, clock);
  const stored: bigint[] = [];
  engine.watch((batch: readonly EngineEvent[]) => {
    for (const e of batch) if (e.kind === 'stored') stored.push(...e.blockHashes);
  });
  const chain = hashBlocks(tokens, 16, 's');
  const l = new RecordingListener(() => clock.now());
  const promptChain = withChain ? { promptChain: { keys: chain.keys, lastDigest: chain.digests.at(-1) } } : {};
  engine.submit({ model: MODEL, promptTokenIds: prompt, maxTokens: 40, cacheSalt: 's', seed: 3n, ...promptChain }, l);
  clock.runUntil(() => l.done);
  return { engine, stored, l };
}

describe('prompt chain from the caller, and the true-cache probe', () => {
  it('caches exactly the blocks it would have hashed itself, output blocks included', () => {
    const own = serve(false);
    const given = serve(true);
    expect(given.stored).toEqual(own.stored);
    expect(given.l.tokens).toEqual(own.l.tokens);
    // 100 prompt + 40 output tokens: 8 full blocks, the last two continuing the chain through the output.
    expect(own.stored).toHaveLength(8);
    expect(own.stored.slice(0, 6)).toEqual(hashBlocks(tokens, 16, 's').keys);
    expect(own.stored).toEqual(hashBlocks([...tokens, ...own.l.tokens], 16, 's').keys);
  });

  it('serves a typed-array prompt exactly like an array, and leaves the caller prompt as it was', () => {
    const prompt = Uint32Array.from(tokens);
    const typed = serve(true, prompt);
    const plain = serve(true);
    expect(typed.l.tokens).toEqual(plain.l.tokens);
    expect(typed.stored).toEqual(plain.stored);
    expect(Array.from(prompt)).toEqual(tokens);
  });

  it('answers cachedPrefixBlocks from the cache: longest consecutive prefix, per model', () => {
    const { engine, stored } = serve(true);
    expect(engine.cachedPrefixBlocks(MODEL, stored)).toBe(8);
    expect(engine.cachedPrefixBlocks(MODEL, [stored[0]!, stored[1]!, 42n, stored[3]!])).toBe(2);
    expect(engine.cachedPrefixBlocks(MODEL, [42n, ...stored])).toBe(0);
    expect(engine.cachedPrefixBlocks('no-such-model', stored)).toBe(0);
    expect(engine.cachedPrefixBlocks(MODEL, [])).toBe(0);
  });

  it('rejects a chain of the wrong length as INVALID_ARGUMENT', () => {
    const engine = new SimEngine({ ...defaultEngineOptions(), loadReportIntervalMs: 0 }, new VirtualClock());
    const chain = hashBlocks(tokens, 16, 's');
    const submit = (promptChain: { keys: bigint[]; lastDigest: Uint8Array | string | undefined }) =>
      engine.submit({ model: MODEL, promptTokenIds: tokens, maxTokens: 4, cacheSalt: 's', seed: 1n, promptChain }, new RecordingListener(() => 0));
    expect(() => submit({ keys: chain.keys.slice(1), lastDigest: chain.digests.at(-1) })).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
    expect(() => submit({ keys: chain.keys, lastDigest: undefined })).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
    expect(() => submit({ keys: chain.keys, lastDigest: 'short' })).toThrow(expect.objectContaining({ code: Code.InvalidArgument }));
  });
});
