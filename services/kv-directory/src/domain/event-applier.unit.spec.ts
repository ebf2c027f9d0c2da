import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BitsetKvIndex } from './bitset-kv-index.js';
import { CompactKvIndex } from './compact-kv-index.js';
import { EventApplier, type KvEvent } from './event-applier.js';

type Step =
  | { kind: 'event'; w: number; seq: 'next' | 'dup' | 'gap'; gapBy: number; dupBack: number; body: Body }
  | { kind: 'dead'; w: number };
type Body = { kind: 'stored' | 'removed'; model: string; hs: bigint[] } | { kind: 'cleared' } | { kind: 'other' };

const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('stored' as const), model: fc.constantFrom('m1', 'm2'), hs: fc.array(fc.integer({ min: 0, max: 9 }).map(BigInt), { maxLength: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('removed' as const), model: fc.constantFrom('m1', 'm2'), hs: fc.array(fc.integer({ min: 0, max: 9 }).map(BigInt), { maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cleared' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'other' as const }) },
);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('event' as const),
      w: fc.integer({ min: 0, max: 3 }),
      seq: fc.constantFrom('next', 'next', 'next', 'next', 'dup', 'gap') as fc.Arbitrary<'next' | 'dup' | 'gap'>,
      gapBy: fc.integer({ min: 2, max: 5 }),
      dupBack: fc.integer({ min: 0, max: 5 }),
      body: bodyArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dead' as const), w: fc.integer({ min: 0, max: 3 }) }) },
);

/**
 * The reference, written as a replay: per worker, the list of events accepted since its last
 * reset; the expected cache is that list folded from empty. Nothing is shared with the index.
 */
function expectedHeld(log: KvEvent[]): Map<string, Set<bigint>> {
  const held = new Map<string, Set<bigint>>();
  for (const e of log) {
    if (e.kind === 'cleared') held.clear();
    if (e.kind !== 'stored' && e.kind !== 'removed') continue;
    const set = held.get(e.model) ?? new Set<bigint>();
    held.set(e.model, set);
    for (const h of e.blockHashes) if (e.kind === 'stored') set.add(h); else set.delete(h);
  }
  return held;
}

describe('EventApplier', () => {
  it('applies in sequence order, ignores duplicates and resyncs on gaps (against a replay model)', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { maxLength: 80 }), (steps) => {
        const index = new BitsetKvIndex();
        const applier = new EventApplier(index);
        const produced = new Map<string, bigint>();
        const last = new Map<string, bigint>();
        const logs = new Map<string, KvEvent[]>();
        let resyncs = 0;
        let applied = 0;
        for (const step of steps) {
          const workerId = `w${step.w}`;
          if (step.kind === 'dead') {
            applier.forget(workerId);
            last.delete(workerId);
            logs.delete(workerId);
            produced.delete(workerId);
            continue;
          }
          const top = produced.get(workerId) ?? 0n;
          let sequence = top + 1n;
          if (step.seq === 'gap') sequence = top + BigInt(step.gapBy);
          if (step.seq === 'dup' && top > 0n) sequence = top - BigInt(Math.min(step.dupBack, Number(top) - 1));
          if (sequence > top) produced.set(workerId, sequence);
          const event = { workerId, sequence, ...(step.body.kind === 'stored' || step.body.kind === 'removed' ? { kind: step.body.kind, model: step.body.model, blockHashes: step.body.hs } : { kind: step.body.kind }) } as KvEvent;

          const prev = last.get(workerId);
          if (prev !== undefined && sequence <= prev) {
            expect(applier.apply(event)).toBe(false);
            continue;
          }
          if (prev !== undefined && sequence > prev + 1n) {
            logs.set(workerId, []);
            resyncs++;
          }
          last.set(workerId, sequence);
          logs.set(workerId, [...(logs.get(workerId) ?? []), event]);
          if (event.kind !== 'other') applied++;
          expect(applier.apply(event)).toBe(true);
        }
        for (const [workerId, log] of logs) {
          for (const [model, set] of expectedHeld(log)) {
            for (const h of set) expect(index.match(model, [h], [workerId])[0]?.matchedBlocks).toBe(1);
          }
          for (const model of ['m1', 'm2']) {
            for (let h = 0n; h < 10n; h++) {
              const want = expectedHeld(log).get(model)?.has(h) ? 1 : 0;
              expect(index.match(model, [h], [workerId])).toEqual([{ workerId, matchedBlocks: want }]);
            }
          }
        }
        expect(applier.stats()).toMatchObject({ resyncs, eventsApplied: applied });
      }),
      { numRuns: 200 },
    );
  });

  it('drops a worker on a gap and re-learns it from the event after the gap', () => {
    const index = new BitsetKvIndex();
    const applier = new EventApplier(index);
    applier.apply({ workerId: 'w', sequence: 1n, kind: 'stored', model: 'm', blockHashes: [1n, 2n] });
    applier.apply({ workerId: 'w', sequence: 1n, kind: 'removed', model: 'm', blockHashes: [1n] });
    expect(index.match('m', [1n, 2n])).toEqual([{ workerId: 'w', matchedBlocks: 2 }]);
    applier.apply({ workerId: 'w', sequence: 4n, kind: 'stored', model: 'm', blockHashes: [9n] });
    expect(index.match('m', [1n, 2n], ['w'])).toEqual([{ workerId: 'w', matchedBlocks: 0 }]);
    expect(index.match('m', [9n])).toEqual([{ workerId: 'w', matchedBlocks: 1 }]);
    expect(applier.stats()).toEqual({ eventsApplied: 2, resyncs: 1, duplicates: 1, silenced: 0 });
  });

  it('forgets every worker when the event source was away, and re-learns each from its next event', () => {
    const index = new CompactKvIndex();
    const applier = new EventApplier(index);
    applier.apply({ workerId: 'a', sequence: 1n, kind: 'stored', model: 'm', blockHashes: [1n, 2n] });
    applier.apply({ workerId: 'b', sequence: 7n, kind: 'stored', model: 'm', blockHashes: [1n] });
    expect(applier.forgetAll().sort()).toEqual(['a', 'b']);
    expect(index.match('m', [1n, 2n], ['a', 'b'])).toEqual([{ workerId: 'a', matchedBlocks: 0 }, { workerId: 'b', matchedBlocks: 0 }]);
    // Events resume at later sequence numbers (the ones in between were lost): accepted as a fresh start.
    expect(applier.apply({ workerId: 'b', sequence: 12n, kind: 'stored', model: 'm', blockHashes: [5n] })).toBe(true);
    expect(index.match('m', [5n])).toEqual([{ workerId: 'b', matchedBlocks: 1 }]);
    expect(applier.forgetAll()).toEqual(['b']);
  });

  it('accepts a worker that restarts at sequence 1 after it was forgotten', () => {
    const index = new BitsetKvIndex();
    const applier = new EventApplier(index);
    applier.apply({ workerId: 'w', sequence: 5n, kind: 'stored', model: 'm', blockHashes: [1n] });
    applier.forget('w');
    expect(applier.apply({ workerId: 'w', sequence: 1n, kind: 'stored', model: 'm', blockHashes: [2n] })).toBe(true);
    expect(index.match('m', [2n])).toEqual([{ workerId: 'w', matchedBlocks: 1 }]);
  });

  it('never claims a block the worker does not hold, under duplication, reordering and loss', () => {
    // Each worker's true history is a sequence of KV events; the bus delivers a corrupted copy.
    // Safety: after every delivery, what the index holds for a worker is a subset of the worker's
    // true cache as of the highest sequence applied. Liveness: a worker whose copy was delivered
    // intact and in order ends with exactly its true cache.
    const historyArb = fc.array(bodyArb, { minLength: 1, maxLength: 25 });
    const faultArb = fc.array(fc.constantFrom('ok', 'ok', 'ok', 'dup', 'swap', 'drop'), { minLength: 25, maxLength: 25 });
    fc.assert(
      fc.property(fc.array(fc.tuple(historyArb, faultArb), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 200 }), (workers, picks) => {
        const index = new CompactKvIndex(16);
        const applier = new EventApplier(index);
        const truth = workers.map(([history], w) => history.map((body, i) => toEvent(`w${w}`, BigInt(i + 1), body)));
        const deliveries = workers.map(([history, faults], w) => corrupt(truth[w]!, faults.slice(0, history.length)));
        const cursor = workers.map(() => 0);
        const applied = workers.map(() => 0n);
        const step = (w: number): void => {
          const e = deliveries[w]![cursor[w]!++]!;
          if (applier.apply(e) && e.sequence > applied[w]!) applied[w] = e.sequence;
          assertSubset(index, `w${w}`, expectedHeld(truth[w]!.slice(0, Number(applied[w]!))));
        };
        for (const p of picks) {
          const w = p % workers.length;
          if (cursor[w]! < deliveries[w]!.length) step(w);
        }
        workers.forEach((_, w) => {
          while (cursor[w]! < deliveries[w]!.length) step(w);
        });
        workers.forEach(([history, faults], w) => {
          if (faults.slice(0, history.length).every((f) => f === 'ok' || f === 'dup')) {
            assertEqual(index, `w${w}`, expectedHeld(truth[w]!));
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  it('forgets a worker silent past the timeout, and only that worker', () => {
    let now = 0;
    const index = new CompactKvIndex(16);
    const applier = new EventApplier(index, { silenceTimeoutMs: 1000, now: () => now });
    applier.apply({ workerId: 'a', sequence: 1n, kind: 'stored', model: 'm', blockHashes: [1n] });
    applier.apply({ workerId: 'b', sequence: 1n, kind: 'stored', model: 'm', blockHashes: [1n] });
    now = 900;
    applier.apply({ workerId: 'b', sequence: 2n, kind: 'other' });
    expect(applier.forgetSilent()).toEqual([]);
    now = 1500;
    expect(applier.forgetSilent()).toEqual(['a']);
    expect(index.match('m', [1n])).toEqual([{ workerId: 'b', matchedBlocks: 1 }]);
    expect(applier.apply({ workerId: 'a', sequence: 1n, kind: 'stored', model: 'm', blockHashes: [1n] })).toBe(true);
    now = 2000;
    expect(applier.forgetSilent()).toEqual(['b']);
    expect(applier.stats()).toMatchObject({ silenced: 2 });
    expect(new EventApplier(index).forgetSilent()).toEqual([]);
  });
});

function toEvent(workerId: string, sequence: bigint, body: Body): KvEvent {
  if (body.kind === 'stored' || body.kind === 'removed') return { workerId, sequence, kind: body.kind, model: body.model, blockHashes: body.hs };
  return { workerId, sequence, kind: body.kind };
}

/** The bus's view of a history: per event, deliver it, deliver it twice, swap it with the next, or lose it. */
function corrupt(events: readonly KvEvent[], faults: readonly string[]): KvEvent[] {
  const out: KvEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const f = faults[i] ?? 'ok';
    if (f === 'drop') continue;
    if (f === 'swap' && i + 1 < events.length) {
      out.push(events[i + 1]!, events[i]!);
      i++;
      continue;
    }
    out.push(events[i]!);
    if (f === 'dup') out.push(events[i]!);
  }
  return out;
}

const HASHES = Array.from({ length: 10 }, (_, i) => BigInt(i));

function assertSubset(index: CompactKvIndex, workerId: string, held: Map<string, Set<bigint>>): void {
  for (const model of ['m1', 'm2']) {
    for (const h of HASHES) {
      if (index.match(model, [h], [workerId])[0]!.matchedBlocks === 1) expect(held.get(model)?.has(h)).toBe(true);
    }
  }
}

function assertEqual(index: CompactKvIndex, workerId: string, held: Map<string, Set<bigint>>): void {
  for (const model of ['m1', 'm2']) {
    for (const h of HASHES) expect(index.match(model, [h], [workerId])[0]!.matchedBlocks).toBe(held.get(model)?.has(h) ? 1 : 0);
  }
}
