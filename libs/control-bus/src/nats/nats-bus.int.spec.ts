import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { startNats, type NatsServer } from '@infermesh/infra';
import { Subjects } from '../control-bus.js';
import { NatsBus } from './nats-bus.js';
import { NatsWorkerRegistry } from './nats-worker-registry.js';

async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, step?: () => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    step?.();
    await sleep(50);
  }
}

describe('NatsBus and NatsWorkerRegistry against a real nats-server', () => {
  let nats: NatsServer;
  beforeAll(async () => {
    nats = await startNats();
  }, 120_000);
  afterAll(() => nats?.stop());

  it('delivers by subject wildcard, isolates a throwing handler, and stops after unsubscribe', async () => {
    const errors: string[] = [];
    const sub = await NatsBus.connect({ servers: nats.url, onHandlerError: (_e, s) => errors.push(s) });
    const pub = await NatsBus.connect({ servers: nats.url });
    const got: string[] = [];
    sub.subscribe(Subjects.workerEventsAll, () => {
      throw new Error('boom');
    });
    const s = sub.subscribe(Subjects.workerEventsAll, (data, subject) => got.push(`${subject}:${Buffer.from(data).toString()}`));
    await sub.connection.flush();
    pub.publish(Subjects.workerEvents('w1'), Buffer.from('a'));
    pub.publish(Subjects.fleet, Buffer.from('not-matched'));
    await until(() => got.length === 1 && errors.length === 1, 5000);
    s.unsubscribe();
    await sub.connection.flush();
    pub.publish(Subjects.workerEvents('w2'), Buffer.from('b'));
    await pub.connection.flush();
    await sleep(200);
    expect(got).toEqual(['infermesh.worker.v1.events.w1:a']);
    expect(errors).toEqual(['infermesh.worker.v1.events.w1', 'infermesh.worker.v1.events.w2']);
    await sub.close();
    await pub.close();
  });

  it('reconnects after a server restart and the subscriptions resume; the registry works again', async () => {
    const changes: boolean[] = [];
    const sub = await NatsBus.connect({ servers: nats.url, onConnectionChange: (c) => changes.push(c) });
    const listened: boolean[] = [];
    const listener = sub.onConnectionChange((c) => listened.push(c));
    const pub = await NatsBus.connect({ servers: nats.url });
    const registry = await NatsWorkerRegistry.open(pub.connection, { bucket: 'restart-test', ttlMs: 60_000 });
    await registry.put('w1', Buffer.from('before'));
    const got: string[] = [];
    sub.subscribe(Subjects.fleet, (data) => got.push(Buffer.from(data).toString()));
    await sub.connection.flush();

    await nats.restart();
    await until(() => sub.isConnected() && pub.isConnected(), 20_000);
    expect(changes).toEqual([false, true]);
    expect(listened).toEqual([false, true]);
    listener.unsubscribe();
    await until(() => got.length > 0, 10_000, () => pub.publish(Subjects.fleet, Buffer.from('after')));
    expect(got[0]).toBe('after');
    expect(Buffer.from((await registry.get('w1')) ?? []).toString()).toBe('before');
    await registry.put('w2', Buffer.from('new'));
    expect([...(await registry.list()).keys()].sort()).toEqual(['w1', 'w2']);
    await sub.close();
    await pub.close();
  }, 60_000);

  it('drops a worker that stops heartbeating after the TTL, and tells watchers', async () => {
    const bus = await NatsBus.connect({ servers: nats.url });
    const registry = await NatsWorkerRegistry.open(bus.connection, { bucket: 'ttl-test', ttlMs: 1500 });
    const seen: string[] = [];
    const watch = await registry.watch((id, info) => seen.push(`${id}:${info === undefined ? 'gone' : 'up'}`));
    await registry.put('alive', Buffer.from('x'));
    await registry.put('vanishing', Buffer.from('y'));
    await registry.put('drained', Buffer.from('z'));
    await registry.remove('drained');
    const started = Date.now();
    while (Date.now() - started < 4000) {
      await registry.put('alive', Buffer.from('x'));
      await sleep(300);
    }
    expect([...(await registry.list()).keys()]).toEqual(['alive']);
    expect(await registry.get('vanishing')).toBeUndefined();
    expect(seen).toContain('drained:gone');
    expect(seen).toContain('vanishing:gone');
    watch.unsubscribe();
    await bus.close();
  }, 30_000);
});
