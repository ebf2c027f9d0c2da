import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FairQueue } from './fair-queue.js';

const oneKey = () => 'k';

describe('FairQueue', () => {
  it('refuses items beyond capacity and accepts again after one leaves', () => {
    const q = new FairQueue<string>(2);
    const a = q.push('t1', 'a');
    expect(q.push('t2', 'b')).toBeDefined();
    expect(q.push('t1', 'c')).toBeUndefined();
    expect(q.remove(a!)).toBe(true);
    expect(q.remove(a!)).toBe(false);
    expect(q.push('t1', 'c')).toBeDefined();
    expect(q.size).toBe(2);
  });

  it('serves tenants round-robin, FIFO within a tenant', () => {
    const q = new FairQueue<string>(10);
    for (const x of ['a1', 'a2', 'a3', 'a4']) q.push('a', x);
    q.push('b', 'b1');
    q.push('b', 'b2');
    q.push('c', 'c1');
    const order: string[] = [];
    q.drain((x) => (order.push(x), true), oneKey);
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
  });

  it('continues the round where the last drain stopped', () => {
    const q = new FairQueue<string>(10);
    for (const x of ['a1', 'a2']) q.push('a', x);
    for (const x of ['b1', 'b2']) q.push('b', x);
    const order: string[] = [];
    let budget = 1;
    const takeOne = (x: string) => (budget-- > 0 ? (order.push(x), true) : false);
    for (let i = 0; i < 4; i++) {
      budget = 1;
      q.drain(takeOne, oneKey);
    }
    expect(order).toEqual(['a1', 'b1', 'a2', 'b2']);
  });

  it('keeps the turn of a tenant that could not be served', () => {
    const q = new FairQueue<string>(10);
    q.push('a', 'a1');
    expect(q.drain(() => false, oneKey)).toBe(0);
    q.push('b', 'b1');
    const order: string[] = [];
    q.drain((x) => (order.push(x), true), oneKey);
    expect(order).toEqual(['a1', 'b1']);
  });

  it('skips a blocked key without blocking other keys of the same tenant', () => {
    const q = new FairQueue<{ id: string; model: string }>(10);
    q.push('a', { id: 'a1', model: 'm1' });
    q.push('a', { id: 'a2', model: 'm1' });
    q.push('a', { id: 'a3', model: 'm2' });
    const seen: string[] = [];
    const taken = q.drain(
      (x) => (seen.push(x.id), x.model === 'm2'),
      (x) => x.model,
    );
    expect(taken).toBe(1);
    expect(seen).toEqual(['a1', 'a3']);
    expect(q.items().map((x) => x.id)).toEqual(['a1', 'a2']);
  });

  it('never gives a tenant a second turn while another tenant waits (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 1, maxLength: 40 }), (tenants) => {
        const q = new FairQueue<{ t: string; n: number }>(100);
        tenants.forEach((t, n) => q.push(t, { t, n }));
        const out: Array<{ t: string; n: number }> = [];
        q.drain((x) => (out.push(x), true), () => 'k');
        expect(out).toHaveLength(tenants.length);
        for (let i = 0; i < out.length; i++) {
          const t = out[i]!.t;
          // FIFO within the tenant.
          const earlier = out.slice(0, i).filter((x) => x.t === t);
          if (earlier.length > 0) expect(earlier[earlier.length - 1]!.n).toBeLessThan(out[i]!.n);
        }
        // Within any window of k consecutive takes (k = tenants still waiting), no tenant repeats.
        const waiting = new Map<string, number>();
        for (const t of tenants) waiting.set(t, (waiting.get(t) ?? 0) + 1);
        for (let i = 0; i < out.length; i++) {
          const active = [...waiting.values()].filter((v) => v > 0).length;
          const window = out.slice(i, i + active).map((x) => x.t);
          expect(new Set(window).size).toBe(window.length);
          waiting.set(out[i]!.t, waiting.get(out[i]!.t)! - 1);
        }
      }),
      { numRuns: 200 },
    );
  });
});
