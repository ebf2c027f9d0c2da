import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { fromBinary } from '@bufbuild/protobuf';
import { NatsBus, NatsWorkerRegistry } from '@infermesh/control-bus';
import { startNats, type NatsServer } from '@infermesh/infra';
import { supervisor } from '@infermesh/proto';
import { createLogger } from '@infermesh/telemetry';
import { defaultWorkerSupervisorOptions, startWorkerSupervisor } from '../index.js';

let nats: NatsServer;
let bus: NatsBus;

beforeAll(async () => {
  nats = await startNats();
  bus = await NatsBus.connect({ servers: nats.url });
}, 120_000);
afterAll(async () => {
  await bus?.close();
  await nats?.stop();
});

it('puts READY workers into the shared registry, heart-beats them, and removes them on a graceful stop', async () => {
  const registry = await NatsWorkerRegistry.open(bus.connection, { bucket: 'supervisor-publisher-test', ttlMs: 2000 });
  const running = await startWorkerSupervisor(
    { ...defaultWorkerSupervisorOptions(), port: 0, workers: 2, workerLogLevel: 'silent' },
    { bus, registry, registryRefreshMs: 400, logger: createLogger({ service: 'test', level: 'silent' }) },
  );
  try {
    const listed = async () => [...(await registry.list()).values()].map((b) => fromBinary(supervisor.WorkerSchema, b));
    const deadline = Date.now() + 10_000;
    while ((await listed()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const workers = await listed();
    expect(workers.map((w) => w.workerId).sort()).toEqual(running.listWorkers().map((w) => w.workerId).sort());
    for (const w of workers) expect(w.state).toBe(supervisor.WorkerState.READY);
    // Three TTLs later the entries are still there: the heartbeat keeps them alive.
    await new Promise((r) => setTimeout(r, 6000));
    expect((await listed()).length).toBe(2);
  } finally {
    await running.stop(1000);
  }
  expect((await registry.list()).size).toBe(0);
}, 60_000);
