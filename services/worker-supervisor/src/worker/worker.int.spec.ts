import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Code } from '@infermesh/errors';
import { blockKeys } from '@infermesh/kv-blocks';
import { engine as wire } from '@infermesh/proto';
import { createClient } from '@infermesh/rpc';
import { createLogger } from '@infermesh/telemetry';
import { defaultWorkerOptions, startWorker, type RunningWorker } from './worker.js';

const logger = createLogger({ service: 'worker-test', level: 'silent' });

async function until(probe: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('engine worker over real gRPC', () => {
  let worker: RunningWorker;
  let client: ReturnType<typeof createClient<typeof wire.Engine>>;

  beforeAll(async () => {
    worker = await startWorker({ ...defaultWorkerOptions(), workerId: 'wt-0', kvBlocks: 256, loadReportIntervalMs: 0 }, { logger });
    client = createClient(wire.Engine, worker.address, { name: 'engine' });
  });

  afterAll(async () => {
    client.close();
    await worker.stop(500);
  });

  it('aborts the sequence and frees its blocks when the client cancels', async () => {
    const controller = new AbortController();
    let tokens = 0;
    const run = (async () => {
      for await (const msg of client.generate({ model: 'gpt-oss-20b', promptTokenIds: Array.from({ length: 100 }, (_, i) => i), maxTokens: 3000 }, { signal: controller.signal })) {
        if (msg.event.case === 'tokens') tokens++;
        if (tokens === 3) controller.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ code: Code.Cancelled });
    await until(() => worker.engine.stats().running === 0);
    expect(worker.engine.stats()).toMatchObject({ waiting: 0, kvBlocksUsed: 0 });
    worker.engine.blockPool.checkInvariants();
  });

  it('starts a late WatchEvents stream with a snapshot of the cache, then live events', async () => {
    const prompt = Array.from({ length: 40 }, (_, i) => 7 * i);
    for await (const _ of client.generate({ model: 'qwen3-8b', promptTokenIds: prompt, maxTokens: 2, cacheSalt: 's' })) void _;
    const controller = new AbortController();
    const batches: wire.EngineEvent[][] = [];
    const watching = (async () => {
      for await (const b of client.watchEvents({}, { signal: controller.signal })) batches.push(b.events);
    })().catch(() => undefined);
    await until(() => batches.length >= 1);
    const first = batches[0]!;
    expect(first[0]?.event.case).toBe('allCleared');
    expect(first.at(-1)?.event.case).toBe('load');
    const snapshot = first.flatMap((e) => (e.event.case === 'stored' && e.event.value.model === 'qwen3-8b' ? e.event.value.blockHashes : []));
    expect(snapshot).toEqual(expect.arrayContaining(blockKeys(prompt, 16, 's')));
    for (let i = 1; i < first.length; i++) expect(first[i]!.sequence).toBe(first[i - 1]!.sequence + 1n);

    const live = [...prompt.slice(0, 32), 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1];
    for await (const _ of client.generate({ model: 'qwen3-8b', promptTokenIds: live, maxTokens: 1, cacheSalt: 's' })) void _;
    await until(() => batches.length >= 2);
    const stored = batches[1]!.find((e) => e.event.case === 'stored');
    expect(stored?.event.value).toMatchObject({ blockHashes: [blockKeys(live, 16, 's')[2]], parentHash: blockKeys(live, 16, 's')[1] });
    expect(stored?.sequence).toBe(first.at(-1)!.sequence + 1n);
    controller.abort();
    await watching;
  });

  it('answers GetInfo', async () => {
    expect(await client.getInfo({})).toMatchObject({ workerId: 'wt-0', gpu: 'H100-SXM-80GB', maxNumSeqs: 64, kvBlocksTotal: 256, blockSize: 16 });
  });
});
