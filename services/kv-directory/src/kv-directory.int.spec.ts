import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { create, toBinary } from '@bufbuild/protobuf';
import { InProcessBus, Subjects } from '@infermesh/control-bus';
import { Code } from '@infermesh/errors';
import { engine, kv, supervisor } from '@infermesh/proto';
import { createClient, type Client, type RunningService } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultKvDirectoryOptions, startKvDirectory } from './index.js';

const logger = createLogger({ service: 'kv-directory-test', level: 'silent' });

function publishEvents(bus: InProcessBus, workerId: string, events: Array<{ sequence: bigint; event: engine.EngineEvent['event'] }>): void {
  const batch = create(engine.WatchEventsResponseSchema, {
    events: events.map((e) => create(engine.EngineEventSchema, { workerId, sequence: e.sequence, event: e.event })),
  });
  bus.publish(Subjects.workerEvents(workerId), toBinary(engine.WatchEventsResponseSchema, batch));
}

const stored = (model: string, blockHashes: bigint[]): engine.EngineEvent['event'] => ({
  case: 'stored',
  value: create(engine.KvBlocksStoredSchema, { model, blockHashes }),
});

describe('kv-directory over gRPC', () => {
  const bus = new InProcessBus();
  let service: RunningService;
  let client: Client<typeof kv.KvDirectory>;

  beforeAll(async () => {
    service = await startKvDirectory({ ...defaultKvDirectoryOptions(), port: 0 }, { bus, logger });
    client = createClient(kv.KvDirectory, service.address, { name: 'kv-directory', timeoutMs: 2000 });
  });
  afterAll(async () => {
    client.close();
    await service.stop(100);
  });

  it('answers the longest cached prefix per worker from bus events, then resyncs and forgets', async () => {
    publishEvents(bus, 'w1', [
      { sequence: 1n, event: stored('llama', [10n, 11n, 12n]) },
      { sequence: 2n, event: { case: 'load', value: create(engine.LoadReportSchema, { running: 1 }) } },
      { sequence: 3n, event: { case: 'removed', value: create(engine.KvBlocksRemovedSchema, { model: 'llama', blockHashes: [12n] }) } },
    ]);
    publishEvents(bus, 'w2', [{ sequence: 1n, event: stored('llama', [10n, 11n, 12n, 13n]) }]);
    publishEvents(bus, 'w2', [{ sequence: 1n, event: stored('llama', [99n]) }]);

    const res = await client.match({ model: 'llama', blockHashes: [10n, 11n, 12n, 13n, 14n] });
    expect(res.matches.map((m) => [m.workerId, m.matchedBlocks])).toEqual([
      ['w2', 4],
      ['w1', 2],
    ]);
    const filtered = await client.match({ model: 'llama', blockHashes: [10n, 11n], workerIds: ['w1', 'w9'] });
    expect(filtered.matches.map((m) => [m.workerId, m.matchedBlocks])).toEqual([
      ['w1', 2],
      ['w9', 0],
    ]);

    // w1 skips sequence 4: its entries are dropped and it is re-learned from sequence 5.
    publishEvents(bus, 'w1', [{ sequence: 5n, event: stored('llama', [20n]) }]);
    const afterGap = await client.match({ model: 'llama', blockHashes: [10n], workerIds: ['w1'] });
    expect(afterGap.matches[0]?.matchedBlocks).toBe(0);
    const stats = await client.getStats({});
    expect(stats).toMatchObject({ workers: 2, eventsApplied: 4n, resyncs: 1n, blocksIndexed: 5n });

    const dead = create(supervisor.FleetChangeSchema, {
      worker: create(supervisor.WorkerSchema, { workerId: 'w2', state: supervisor.WorkerState.DEAD }),
    });
    bus.publish(Subjects.fleet, toBinary(supervisor.FleetChangeSchema, dead));
    const afterDeath = await client.match({ model: 'llama', blockHashes: [10n, 20n] });
    expect(afterDeath.matches.map((m) => [m.workerId, m.matchedBlocks])).toEqual([['w1', 0]]);
  });

  it('rejects a request without a model as INVALID_ARGUMENT', async () => {
    await expect(client.match({ model: '', blockHashes: [1n] })).rejects.toMatchObject({ code: Code.InvalidArgument });
  });
});

describe('kv-directory silence timeout', () => {
  it('forgets a worker that sends nothing for longer than workerSilenceTimeoutMs', async () => {
    const bus = new InProcessBus();
    const service = await startKvDirectory({ ...defaultKvDirectoryOptions(), port: 0, workerSilenceTimeoutMs: 150 }, { bus, logger });
    const client = createClient(kv.KvDirectory, service.address, { name: 'kv-directory', timeoutMs: 2000 });
    try {
      publishEvents(bus, 'quiet', [{ sequence: 1n, event: stored('llama', [1n, 2n]) }]);
      publishEvents(bus, 'chatty', [{ sequence: 1n, event: stored('llama', [1n, 2n]) }]);
      const deadline = Date.now() + 3000;
      let seq = 2n;
      let matches: string[] = [];
      do {
        await new Promise((r) => setTimeout(r, 50));
        publishEvents(bus, 'chatty', [{ sequence: seq++, event: { case: 'load', value: create(engine.LoadReportSchema, { running: 0 }) } }]);
        matches = (await client.match({ model: 'llama', blockHashes: [1n, 2n] })).matches.map((m) => m.workerId);
      } while (matches.includes('quiet') && Date.now() < deadline);
      expect(matches).toEqual(['chatty']);
    } finally {
      client.close();
      await service.stop(100);
    }
  });
});
