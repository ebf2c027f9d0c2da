import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create, toBinary } from '@bufbuild/protobuf';
import { InProcessBus, Subjects } from '@infermesh/control-bus';
import { Code } from '@infermesh/errors';
import { defaultKvDirectoryOptions, startKvDirectory } from '@infermesh/kv-directory';
import { engine, scheduler as pb, supervisor } from '@infermesh/proto';
import { createClient, createServer, type Client, type MeshServer, type RunningService } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultSchedulerOptions, startScheduler, type RunningScheduler } from './index.js';

const logger = createLogger({ service: 'scheduler-int', level: 'silent' });
const prompt = [11n, 12n, 13n, 14n];

/** A real WorkerSupervisor gRPC server listing two fixed READY workers with 2 slots each. */
async function startFixedSupervisor(): Promise<{ server: MeshServer; address: string }> {
  const server = createServer({ name: 'fixed-supervisor', host: '127.0.0.1', port: 0, logger });
  const worker = (workerId: string, port: number) =>
    create(supervisor.WorkerSchema, { workerId, address: `127.0.0.1:${port}`, models: ['llama'], state: supervisor.WorkerState.READY, maxNumSeqs: 2 });
  server.add(supervisor.WorkerSupervisor, { listWorkers: () => ({ workers: [worker('w1', 7001), worker('w2', 7002)] }) });
  const { address } = await server.start();
  return { server, address };
}

describe('scheduler wired to a real kv-directory and supervisor over gRPC', () => {
  const bus = new InProcessBus();
  let kvDirectory: RunningService;
  let fleet: { server: MeshServer; address: string };
  let running: RunningScheduler;
  let client: Client<typeof pb.Scheduler>;

  beforeAll(async () => {
    kvDirectory = await startKvDirectory({ ...defaultKvDirectoryOptions(), port: 0 }, { bus, logger });
    fleet = await startFixedSupervisor();
    running = await startScheduler(
      {
        ...defaultSchedulerOptions(),
        port: 0,
        kvDirectoryAddress: kvDirectory.address,
        supervisorAddress: fleet.address,
        queueCapacity: 2,
        kvBreaker: { volumeThreshold: 3, resetTimeoutMs: 60_000 },
      },
      { bus, logger },
    );
    client = createClient(pb.Scheduler, running.address, { name: 'scheduler', timeoutMs: 5000 });
  });
  afterAll(async () => {
    client.close();
    await running.stop(100);
    await fleet.server.shutdown(100);
    await kvDirectory.stop(100).catch(() => undefined);
  });

  const schedule = (requestId: string, tenantId = 't1', timeoutMs?: number) =>
    client.schedule({ requestId, tenantId, model: 'llama', blockHashes: prompt, blockSize: 16 }, timeoutMs === undefined ? {} : { timeoutMs });

  it('routes to the worker holding the prompt prefix, then queues, sheds and times out', async () => {
    const batch = create(engine.WatchEventsResponseSchema, {
      events: [create(engine.EngineEventSchema, { workerId: 'w2', sequence: 1n, event: { case: 'stored', value: create(engine.KvBlocksStoredSchema, { model: 'llama', blockHashes: prompt }) } })],
    });
    bus.publish(Subjects.workerEvents('w2'), toBinary(engine.WatchEventsResponseSchema, batch));

    const first = await schedule('r1');
    expect(first).toMatchObject({ workerId: 'w2', workerAddress: '127.0.0.1:7002', predictedCachedBlocks: 4, routingMode: pb.RoutingMode.CACHE_AWARE });
    const leases = [first, await schedule('r2'), await schedule('r3'), await schedule('r4')];
    expect(new Set(leases.map((l) => l.workerId))).toEqual(new Set(['w1', 'w2']));

    // Every slot is taken: two calls wait, the third is shed.
    const waiting = [schedule('q1', 't1', 300), schedule('q2', 't2', 300)];
    await new Promise((r) => setTimeout(r, 50));
    await expect(schedule('q3')).rejects.toMatchObject({ code: Code.ResourceExhausted, message: 'scheduler queue is full (2 waiting)' });
    for (const w of waiting) await expect(w).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    await new Promise((r) => setTimeout(r, 50));
    expect((await client.getStats({})).queued).toBe(0);

    for (const l of leases) expect((await client.release({ leaseId: l.leaseId, outcome: pb.LeaseOutcome.COMPLETED })).released).toBe(true);
    expect((await client.release({ leaseId: first.leaseId })).released).toBe(false);
  });

  it('keeps scheduling in LOAD_ONLY mode once the kv-directory is gone and its breaker opens', async () => {
    await kvDirectory.stop(100);
    const modes: pb.RoutingMode[] = [];
    for (let i = 0; i < 10 && running.kvBreakerState() !== 'open'; i++) {
      const lease = await schedule(`down-${i}`);
      modes.push(lease.routingMode);
      await client.release({ leaseId: lease.leaseId });
    }
    expect(running.kvBreakerState()).toBe('open');
    expect(modes.every((m) => m === pb.RoutingMode.LOAD_ONLY)).toBe(true);

    const started = Date.now();
    const lease = await schedule('after-open');
    expect(Date.now() - started).toBeLessThan(200);
    expect(lease).toMatchObject({ routingMode: pb.RoutingMode.LOAD_ONLY, predictedCachedBlocks: 0 });
    const stats = await client.getStats({});
    expect(stats).toMatchObject({ cacheAwareDecisions: 4n, activeLeases: 1, queueCapacity: 2 });
    expect(stats.loadOnlyDecisions).toBe(BigInt(modes.length + 1));
    expect(stats.workers.map((w) => [w.workerId, w.maxConcurrency])).toEqual([
      ['w1', 2],
      ['w2', 2],
    ]);
  });
});
