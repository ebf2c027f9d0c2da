import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { create, toBinary } from '@bufbuild/protobuf';
import { NatsBus, NatsWorkerRegistry } from '@infermesh/control-bus';
import { startNats, type NatsServer } from '@infermesh/infra';
import { supervisor } from '@infermesh/proto';
import { RegistryWorkerSource } from './registry-worker-source.js';

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

const worker = (workerId: string) => toBinary(supervisor.WorkerSchema, create(supervisor.WorkerSchema, {
  workerId, address: `127.0.0.1:${workerId.length + 6000}`, models: ['llama-3.1-8b-instruct'], state: supervisor.WorkerState.READY, maxNumSeqs: 8,
}));

it('lists the live workers of the JetStream registry, skips undecodable entries, and loses a worker whose heartbeat stops', async () => {
  const registry = await NatsWorkerRegistry.open(bus.connection, { bucket: 'scheduler-source-test', ttlMs: 1500 });
  const source = new RegistryWorkerSource(registry);
  let changes = 0;
  const watch = await source.watch(() => changes++);
  await registry.put('w-alive', worker('w-alive'));
  await registry.put('w-vanishing', worker('w-vanishing'));
  await registry.put('w-garbage', Buffer.from([0xff, 0xff, 0xff]));
  const first = await source.list();
  expect(first.map((w) => w.workerId).sort()).toEqual(['w-alive', 'w-vanishing']);
  expect(first.find((w) => w.workerId === 'w-alive')).toMatchObject({ state: 'ready', maxNumSeqs: 8, models: ['llama-3.1-8b-instruct'] });

  const started = Date.now();
  while (Date.now() - started < 4000) {
    await registry.put('w-alive', worker('w-alive'));
    await sleep(300);
  }
  expect((await source.list()).map((w) => w.workerId)).toEqual(['w-alive']);
  expect(changes).toBeGreaterThanOrEqual(3);
  watch.unsubscribe();
}, 30_000);
