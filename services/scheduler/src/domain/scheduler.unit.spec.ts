import { describe, expect, it } from '@jest/globals';
import { Code } from '@infermesh/errors';
import { TableMatcher, newScheduler, req, settle, worker } from './test-fixtures.js';

describe('Scheduler admission and queue', () => {
  it('rejects with RESOURCE_EXHAUSTED beyond capacity, counting waiting and admitting requests', async () => {
    const s = newScheduler({ queueCapacity: 2 });
    s.setWorkers([worker('w1', 1)]);
    await s.schedule(req('r0'));
    const waiting = [s.schedule(req('r1')), s.schedule(req('r2'))];
    await expect(s.schedule(req('r3'))).rejects.toMatchObject({ code: Code.ResourceExhausted, message: 'scheduler queue is full (2 waiting)' });
    await settle();
    expect(s.stats()).toMatchObject({ queued: 2, queueCapacity: 2, activeLeases: 1, rejectedTotal: 1 });
    s.close();
    await Promise.allSettled(waiting);
  });

  it('fails UNAVAILABLE when no ready worker serves the model', async () => {
    const s = newScheduler();
    s.setWorkers([{ ...worker('w1'), state: 'draining' }, worker('w2', 1, ['other'])]);
    await expect(s.schedule(req('r'))).rejects.toMatchObject({ code: Code.Unavailable });
  });

  it('bounds the wait by the deadline with DEADLINE_EXCEEDED and frees the place', async () => {
    const s = newScheduler();
    s.setWorkers([worker('w1', 1)]);
    await s.schedule(req('r0'));
    const started = Date.now();
    await expect(s.schedule(req('r1'), { deadline: new Date(Date.now() + 60) })).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    expect(s.stats().queued).toBe(0);
  });

  it('removes a cancelled call from the queue at once', async () => {
    const s = newScheduler();
    s.setWorkers([worker('w1', 1)]);
    await s.schedule(req('r0'));
    const ac = new AbortController();
    const p = s.schedule(req('r1'), { signal: ac.signal });
    await settle();
    expect(s.stats().queued).toBe(1);
    ac.abort();
    expect(s.stats().queued).toBe(0);
    await expect(p).rejects.toMatchObject({ code: Code.Cancelled });
  });

  it('admits waiting tenants round-robin as slots free, FIFO within a tenant', async () => {
    const s = newScheduler();
    s.setWorkers([worker('w1', 1)]);
    const granted: Array<{ id: string; leaseId: string }> = [{ id: 'first', leaseId: (await s.schedule(req('first', 'x'))).leaseId }];
    const calls = [req('a1', 'A'), req('a2', 'A'), req('a3', 'A'), req('b1', 'B'), req('c1', 'C')].map((r) =>
      s.schedule(r).then((p) => granted.push({ id: r.requestId, leaseId: p.leaseId })),
    );
    await settle();
    expect(s.stats().queued).toBe(5);
    for (let i = 1; i <= calls.length; i++) {
      s.release(granted[i - 1]!.leaseId);
      await settle();
      expect(granted).toHaveLength(i + 1);
      expect(s.stats().activeLeases).toBe(1);
    }
    await Promise.all(calls);
    expect(granted.map((g) => g.id)).toEqual(['first', 'a1', 'b1', 'c1', 'a2', 'a3']);
  });
});

describe('Scheduler routing', () => {
  it('prefers the worker holding the longest cached prefix when load is comparable', async () => {
    const matcher = new TableMatcher(new Map([['w2', 3], ['w3', 1]]));
    const s = newScheduler({}, matcher);
    s.setWorkers([worker('w1', 4), worker('w2', 4), worker('w3', 4)]);
    await s.schedule(req('busy', 't')); // lands on w1 (all tie; lowest id), so w2 is not the idlest
    const p = await s.schedule(req('r', 't', [1n, 2n, 3n, 4n]));
    expect(p).toMatchObject({ workerId: 'w2', predictedCachedBlocks: 3, routingMode: 'cache-aware' });
    expect(matcher.queries.at(-1)).toMatchObject({ model: 'm', workerIds: ['w1', 'w2', 'w3'] });
  });

  it('routes by load alone when the directory fails, never failing the request', async () => {
    const matcher = new TableMatcher(new Map([['w1', 4]]));
    matcher.failing = true;
    const s = newScheduler({}, matcher);
    s.setWorkers([worker('w1', 4), worker('w2', 4)]);
    await s.schedule(req('busy'));
    const p = await s.schedule(req('r', 't', [1n, 2n, 3n, 4n]));
    expect(p).toMatchObject({ workerId: 'w2', predictedCachedBlocks: 0, routingMode: 'load-only' });
    expect(s.stats()).toMatchObject({ loadOnlyDecisions: 1, cacheAwareDecisions: 1 });
  });
});

describe('Scheduler leases', () => {
  it('releases idempotently and admits the next waiting request when a slot frees', async () => {
    const s = newScheduler();
    s.setWorkers([worker('w1', 1)]);
    const first = await s.schedule(req('r0'));
    const next = s.schedule(req('r1'));
    await settle();
    expect(s.stats().queued).toBe(1);
    expect(s.release(first.leaseId)).toBe(true);
    expect(s.release(first.leaseId)).toBe(false);
    expect(s.release('no-such-lease')).toBe(false);
    await expect(next).resolves.toMatchObject({ workerId: 'w1' });
    expect(s.stats()).toMatchObject({ queued: 0, activeLeases: 1 });
  });

  it('expires a lease after its TTL and gives the slot to the next request', async () => {
    const s = newScheduler({ leaseTtlMs: 50 });
    s.setWorkers([worker('w1', 1)]);
    const first = await s.schedule(req('r0'));
    const second = await s.schedule(req('r1'));
    expect(second.leaseId).not.toBe(first.leaseId);
    expect(s.release(first.leaseId)).toBe(false);
    s.close();
  });

  it('drops leases on a worker that leaves the registry and places waiting work elsewhere', async () => {
    const s = newScheduler();
    s.setWorkers([worker('w1', 1)]);
    const gone = await s.schedule(req('r0'));
    const waiting = s.schedule(req('r1'));
    await settle();
    s.setWorkers([worker('w2', 1)]);
    await expect(waiting).resolves.toMatchObject({ workerId: 'w2' });
    expect(s.release(gone.leaseId)).toBe(false);
    expect(s.stats().workers).toEqual([{ workerId: 'w2', activeLeases: 1, capacity: 1, kvUsage: 0 }]);
  });
});
