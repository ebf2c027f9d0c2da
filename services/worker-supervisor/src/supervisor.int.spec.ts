import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { InProcessBus, Subjects } from '@infermesh/control-bus';
import { Code, MeshError } from '@infermesh/errors';
import { blockKeys } from '@infermesh/kv-blocks';
import { common, engine as wire, supervisor as sv } from '@infermesh/proto';
import { createClient } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultWorkerSupervisorOptions, startWorkerSupervisor, type RunningWorkerSupervisor } from './index.js';

// Forks dist/worker-main.js: `npm test` builds first (or run `npx tsc -b services/worker-supervisor`).
const logger = createLogger({ service: 'worker-supervisor-test', level: 'silent' });
const MODEL = 'llama-3.1-8b-instruct';

async function until<T>(probe: () => T | undefined, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('worker supervisor with real worker processes', () => {
  const bus = new InProcessBus();
  const fleet: sv.FleetChange[] = [];
  const events = new Map<string, wire.EngineEvent[]>();
  let sup: RunningWorkerSupervisor;
  let supClient: ReturnType<typeof createClient<typeof sv.WorkerSupervisor>>;

  beforeAll(async () => {
    bus.subscribe(Subjects.fleet, (data) => fleet.push(fromBinary(sv.FleetChangeSchema, data)));
    bus.subscribe(Subjects.workerEventsAll, (data, subject) => {
      const id = subject.split('.').at(-1)!;
      events.set(id, [...(events.get(id) ?? []), ...fromBinary(wire.WatchEventsResponseSchema, data).events]);
    });
    sup = await startWorkerSupervisor(
      {
        ...defaultWorkerSupervisorOptions(),
        workers: 2,
        kvBlocksPerWorker: 512,
        loadReportIntervalMs: 200,
        restartBackoffInitialMs: 100,
        shutdownGraceMs: 1000,
        workerLogLevel: 'silent',
      },
      { bus, logger },
    );
    supClient = createClient(sv.WorkerSupervisor, sup.address, { name: 'worker-supervisor' });
  });

  let stopped = false;
  afterAll(async () => {
    supClient.close();
    if (!stopped) await sup.stop(1000);
    await bus.close();
  });

  const ready = async () => (await supClient.listWorkers({})).workers.filter((w) => w.state === sv.WorkerState.READY);

  it('starts the fleet, registers it and announces each worker READY', async () => {
    const workers = await ready();
    expect(workers.map((w) => w.workerId)).toEqual(['w0-0', 'w1-0']);
    expect(new Set(workers.map((w) => w.pid)).size).toBe(2);
    for (const w of workers) {
      expect(w.pid).toBeGreaterThan(0);
      expect(w.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(w.models).toEqual(['llama-3.1-8b-instruct', 'qwen3-8b', 'gpt-oss-20b', 'gemma-3-27b-it', 'openai-o200k', 'openai-cl100k']);
      expect(w).toMatchObject({ gpu: 'H100-SXM-80GB', maxNumSeqs: 64, restarts: 0 });
    }
    const announced = fleet.filter((c) => c.worker?.state === sv.WorkerState.READY).map((c) => c.worker?.workerId);
    expect(announced.sort()).toEqual(['w0-0', 'w1-0']);
  });

  it('generates over gRPC and relays the KV events of the prompt onto the bus', async () => {
    const [w0] = await ready();
    const engine = createClient(wire.Engine, w0!.address, { name: 'engine' });
    const info = await engine.getInfo({});
    expect(info).toMatchObject({ workerId: 'w0-0', kvBlocksTotal: 512, blockSize: 16 });
    const prompt = Array.from({ length: 70 }, (_, i) => 1000 + i);
    const generate = async () => {
      const out = { cached: -1, tokens: [] as number[], finished: undefined as wire.EngineFinished | undefined };
      for await (const msg of engine.generate({ requestId: 'r1', model: MODEL, promptTokenIds: prompt, maxTokens: 12, cacheSalt: 'tenant', seed: 5n })) {
        if (msg.event.case === 'started') out.cached = msg.event.value.cachedPromptTokens;
        if (msg.event.case === 'tokens') out.tokens.push(...msg.event.value.tokenIds);
        if (msg.event.case === 'finished') out.finished = msg.event.value;
      }
      return out;
    };
    const first = await generate();
    expect(first.cached).toBe(0);
    expect(first.tokens).toHaveLength(12);
    expect(first.finished).toMatchObject({ finishReason: common.FinishReason.LENGTH, promptTokens: 70, completionTokens: 12 });
    const second = await generate();
    expect(second.cached).toBe(64);
    expect(second.tokens).toEqual(first.tokens);
    await expect(async () => {
      for await (const _ of engine.generate({ model: 'nope', promptTokenIds: [1], maxTokens: 1 })) void _;
    }).rejects.toMatchObject({ code: Code.NotFound });
    engine.close();

    const relayed = await until(() => {
      const evs = events.get('w0-0') ?? [];
      return evs.some((e) => e.event.case === 'stored') ? evs : undefined;
    });
    relayed.forEach((e, i) => expect(e.sequence).toBe(BigInt(i + 1)));
    const stored = relayed.flatMap((e) => (e.event.case === 'stored' ? e.event.value.blockHashes : []));
    expect(stored.slice(0, 4)).toEqual(blockKeys(prompt, 16, 'tenant'));
    expect(relayed.some((e) => e.event.case === 'load' && e.workerId === 'w0-0')).toBe(true);
  });

  it('aborts a running sequence when a cancellation arrives on the bus, while its stream stays open', async () => {
    const [w0] = await ready();
    const engine = createClient(wire.Engine, w0!.address, { name: 'engine' });
    const tokens: number[] = [];
    let finished: wire.EngineFinished | undefined;
    for await (const msg of engine.generate({ requestId: 'r-bus-cancel', model: MODEL, promptTokenIds: [7, 8, 9], maxTokens: 4000, seed: 1n })) {
      if (msg.event.case === 'tokens') {
        tokens.push(...msg.event.value.tokenIds);
        if (tokens.length >= 3 && tokens.length - msg.event.value.tokenIds.length < 3) {
          bus.publish(Subjects.workerCancel(w0!.workerId), toBinary(wire.EngineCancelRequestSchema, create(wire.EngineCancelRequestSchema, { requestId: 'r-bus-cancel', reason: 'client_cancelled' })));
        }
      }
      if (msg.event.case === 'finished') finished = msg.event.value;
    }
    expect(finished?.finishReason).toBe(common.FinishReason.CANCELLED);
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    expect(tokens.length).toBeLessThan(4000);
    // Nothing runs under that id any more.
    expect((await engine.cancel({ requestId: 'r-bus-cancel' })).cancelled).toBe(false);
    engine.close();
  });

  it('replaces a SIGKILLed worker and fails its open streams with UNAVAILABLE', async () => {
    const before = await ready();
    const victim = before.find((w) => w.slot === 1)!;
    const engine = createClient(wire.Engine, victim.address, { name: 'engine' });
    let tokens = 0;
    const stream = (async () => {
      for await (const msg of engine.generate({ model: MODEL, promptTokenIds: [1, 2, 3], maxTokens: 5000 })) {
        if (msg.event.case === 'tokens') tokens += msg.event.value.tokenIds.length;
      }
    })();
    await until(() => (tokens >= 3 ? true : undefined));
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    const err = await stream.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MeshError);
    expect((err as MeshError).code).toBe(Code.Unavailable);
    engine.close();

    await until(() => fleet.find((c) => c.worker?.workerId === 'w1-0' && c.worker.state === sv.WorkerState.DEAD));
    let workers: sv.Worker[] = [];
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      workers = await ready();
      if (workers.length === 2 && workers.some((w) => w.workerId === 'w1-1')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(Date.now() - killedAt).toBeLessThan(5000);
    const replacement = workers.find((w) => w.slot === 1)!;
    expect(replacement).toMatchObject({ workerId: 'w1-1', restarts: 1, state: sv.WorkerState.READY });
    expect(replacement.pid).not.toBe(victim.pid);
    expect(workers.find((w) => w.slot === 0)?.pid).toBe(before.find((w) => w.slot === 0)?.pid);
    const dead = (await supClient.listWorkers({ includeDead: true })).workers.filter((w) => w.state === sv.WorkerState.DEAD);
    expect(dead.map((w) => w.workerId)).toEqual(['w1-0']);
    expect(fleet.some((c) => c.worker?.workerId === 'w1-1' && c.worker.state === sv.WorkerState.READY)).toBe(true);
  });

  it('stops cleanly: every worker process is gone and announced DEAD', async () => {
    const pids = (await ready()).map((w) => w.pid);
    const began = Date.now();
    stopped = true;
    await sup.stop(1000);
    expect(Date.now() - began).toBeLessThan(2500);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    const deadIds = fleet.filter((c) => c.worker?.state === sv.WorkerState.DEAD).map((c) => c.worker?.workerId);
    expect(deadIds.sort()).toEqual(['w0-0', 'w1-0', 'w1-1']);
  });
});
