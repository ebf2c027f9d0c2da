import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { blockKeys } from '@infermesh/kv-blocks';
import { BlockPool } from './block-pool.js';
import { VirtualClock } from './clock.js';
import { SimEngine } from './engine.js';
import { defaultEngineOptions, type EngineOptions } from './engine-options.js';
import { EventRecorder, type EngineEvent } from './kv-events.js';
import { RecordingListener } from './recording-listener.js';

const MODEL = 'llama-3.1-8b-instruct';
const prompt = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => (i * 17 + offset * 1009) % 60_000);

function engineWith(overrides: Partial<EngineOptions>) {
  const clock = new VirtualClock();
  const engine = new SimEngine({ ...defaultEngineOptions(), loadReportIntervalMs: 0, ...overrides }, clock);
  const events: EngineEvent[] = [];
  engine.watch((batch) => {
    engine.blockPool.checkInvariants();
    events.push(...batch);
  });
  const submit = (tokens: number[], maxTokens: number, salt = 's') => {
    const l = new RecordingListener(() => clock.now());
    const h = engine.submit({ model: MODEL, promptTokenIds: tokens, maxTokens, cacheSalt: salt, seed: 1n }, l);
    return { l, h };
  };
  return { clock, engine, events, submit };
}

/** Replays stored/removed/all_cleared into a set of "model/hash" and checks numbering. */
function replay(events: readonly EngineEvent[]): Set<string> {
  const cache = new Set<string>();
  events.forEach((e, i) => {
    expect(e.sequence).toBe(i + 1);
    if (e.kind === 'stored') {
      for (const h of e.blockHashes) {
        expect(cache.has(`${e.model}/${h}`)).toBe(false);
        cache.add(`${e.model}/${h}`);
      }
    } else if (e.kind === 'removed') {
      for (const h of e.blockHashes) expect(cache.delete(`${e.model}/${h}`)).toBe(true);
    } else if (e.kind === 'allCleared') {
      cache.clear();
    }
  });
  return cache;
}

const cacheContent = (engine: SimEngine) => new Set(engine.blockPool.snapshot().map((b) => `${b.model}/${b.hash}`));

describe('BlockPool', () => {
  it('evicts least recently released cached blocks first and never double-frees', () => {
    const pool = new BlockPool(3, ['m'], new EventRecorder());
    const [a, b, c] = [pool.allocate(), pool.allocate(), pool.allocate()];
    expect(pool.allocate()).toBe(-1);
    pool.commit(a, 0, 10n, 0n);
    pool.commit(b, 0, 11n, 10n);
    expect(pool.commit(c, 0, 11n, 10n)).toBe(false);
    pool.release(b);
    pool.release(a);
    pool.release(c);
    expect(() => pool.release(c)).toThrow(/double free/);
    expect(pool.evictionOrder()).toEqual([11n, 10n]);
    pool.acquire(pool.lookup(0, 11n));
    expect(pool.evictionOrder()).toEqual([10n]);
    expect(pool.allocate()).toBe(c);
    expect(pool.allocate()).toBe(a);
    expect(pool.lookup(0, 10n)).toBe(-1);
    pool.checkInvariants();
  });
});

describe('SimEngine KV cache', () => {
  it('evicts the least recently used prefix, deepest block first, and announces it', () => {
    const { engine, events, submit, clock } = engineWith({ kvBlocks: 12 });
    const a = submit(prompt(64, 1), 1);
    clock.runUntil(() => a.l.done);
    const b = submit(prompt(64, 2), 1);
    clock.runUntil(() => b.l.done);
    const keysA = blockKeys(prompt(64, 1), 16, 's');
    const keysB = blockKeys(prompt(64, 2), 16, 's');
    expect(engine.blockPool.evictionOrder()).toEqual([...keysA.slice().reverse(), ...keysB.slice().reverse()]);
    const before = events.length;
    const c = submit(prompt(96, 3), 1);
    clock.runUntil(() => c.l.done);
    const removed = events.slice(before).flatMap((e) => (e.kind === 'removed' ? e.blockHashes : []));
    // c needs 6 blocks: the 4 free ones, then 2 evicted from a (least recent), deepest first.
    expect(removed).toEqual([keysA[3], keysA[2]]);
    const again = submit(prompt(64, 2), 1);
    clock.runUntil(() => again.l.done);
    expect(again.l.cachedPromptTokens).toBe(48);
    expect(replay(events)).toEqual(cacheContent(engine));
  });

  it('preempts under memory pressure, then resumes every sequence to completion', () => {
    const { engine, events, submit, clock } = engineWith({ kvBlocks: 24, maxNumSeqs: 8 });
    const runs = [0, 1, 2, 3, 4].map((i) => submit(prompt(60, 10 + i), 70));
    clock.runUntil(() => runs.every((r) => r.l.done));
    const preemptions = runs.reduce((n, r) => n + r.l.result!.preemptions, 0);
    expect(preemptions).toBeGreaterThan(0);
    for (const r of runs) {
      expect(r.l.result).toMatchObject({ finishReason: 'length', completionTokens: 70 });
      expect(r.l.startedCount).toBe(1);
    }
    const calm = engineWith({});
    const reference = [0, 1, 2, 3, 4].map((i) => calm.submit(prompt(60, 10 + i), 70));
    calm.clock.runUntil(() => reference.every((r) => r.l.done));
    expect(runs.map((r) => r.l.tokens)).toEqual(reference.map((r) => r.l.tokens));
    expect(engine.stats().kvBlocksUsed).toBe(0);
    expect(replay(events)).toEqual(cacheContent(engine));
  });

  it('re-announces the cache to a late watcher without breaking the sequence', () => {
    const { engine, events, submit, clock } = engineWith({});
    const a = submit(prompt(80), 20);
    clock.runUntil(() => a.l.done);
    const late: EngineEvent[] = [];
    engine.watch((batch) => late.push(...batch));
    expect(late[0]?.kind).toBe('allCleared');
    expect(late[0]?.sequence).toBe(events.length - late.length + 1);
    const lateCache = new Set<string>();
    for (const e of late) if (e.kind === 'stored') for (const h of e.blockHashes) lateCache.add(`${e.model}/${h}`);
    expect(lateCache).toEqual(cacheContent(engine));
    expect(lateCache.size).toBe(6);
    expect(replay(events)).toEqual(cacheContent(engine));
  });

  it('keeps blocks, refcounts and events consistent under random workloads', () => {
    const request = fc.record({
      prefix: fc.integer({ min: 0, max: 3 }),
      sharedLength: fc.integer({ min: 0, max: 80 }),
      ownLength: fc.integer({ min: 1, max: 60 }),
      maxTokens: fc.integer({ min: 1, max: 40 }),
      salt: fc.constantFrom('a', 'b'),
      model: fc.constantFrom('llama-3.1-8b-instruct', 'qwen3-8b'),
      arriveAfterMs: fc.integer({ min: 0, max: 50 }),
      abortAfterMs: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(
        fc.array(request, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 12, max: 40 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 16, max: 256 }),
        (requests, kvBlocks, maxNumSeqs, maxBatchedTokens) => {
          const { engine, events, clock } = engineWith({ kvBlocks, maxNumSeqs, maxBatchedTokens });
          const listeners: RecordingListener[] = [];
          const prompts: { model: string; keys: bigint[] }[] = [];
          let t = 0;
          requests.forEach((r, i) => {
            t += r.arriveAfterMs;
            clock.setTimer(() => {
              const tokens = [...prompt(r.sharedLength, r.prefix), ...prompt(r.ownLength, 100 + i)].slice(0, 180);
              prompts.push({ model: r.model, keys: blockKeys(tokens, 16, r.salt) });
              const l = new RecordingListener();
              listeners.push(l);
              const h = engine.submit({ model: r.model, promptTokenIds: tokens, maxTokens: r.maxTokens, cacheSalt: r.salt, seed: 3n }, l);
              if (r.abortAfterMs !== undefined) clock.setTimer(() => h.abort(), r.abortAfterMs);
            }, t);
          });
          clock.runUntil(() => listeners.length === requests.length && listeners.every((l) => l.done));
          for (const [i, l] of listeners.entries()) {
            expect(l.finishedCount).toBe(1);
            if (l.result!.finishReason === 'length') expect(l.tokens).toHaveLength(requests[i]!.maxTokens);
            expect(l.result!.completionTokens).toBe(l.tokens.length);
          }
          expect(engine.stats()).toMatchObject({ running: 0, waiting: 0, kvBlocksUsed: 0 });
          engine.blockPool.checkInvariants();
          expect(replay(events)).toEqual(cacheContent(engine));
          // Prefix walks follow child hints: whatever block a hint names, the answer is the index's.
          const pool = engine.blockPool;
          for (const { model, keys } of prompts) {
            const m = engine.info().models.indexOf(model);
            let truth = 0;
            while (truth < keys.length && pool.lookup(m, keys[truth]!) >= 0) truth++;
            expect(engine.cachedPrefixBlocks(model, keys)).toBe(truth);
            for (const key of keys) for (let parent = -1; parent < kvBlocks; parent++) expect(pool.lookupAfter(parent, m, key)).toBe(pool.lookup(m, key));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
