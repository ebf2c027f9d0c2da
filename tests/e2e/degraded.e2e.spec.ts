import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startInProcessMesh, type InProcessMesh } from './in-process-mesh.js';
import { generate } from './mesh-clients.js';

// The embedded mesh started in this process, so that one service can be stopped alone.
let m: InProcessMesh;

beforeAll(async () => {
  m = await startInProcessMesh({ INFERMESH_WORKERS: '2' });
}, 90_000);

afterAll(async () => {
  await m?.stop();
});

it('a stopped kv-directory opens the scheduler breaker and routing falls back to load alone without failing requests', async () => {
  const run = (i: number) => generate(m.c.inference, m.apiKey, { model: 'llama-3.1-8b-instruct', input: { case: 'prompt', value: `degraded mode request ${i}: ${'a prompt long enough to fill several sixteen-token cache blocks, '.repeat(4)}` }, maxTokens: 4 });
  await run(0);
  expect((await m.c.scheduler.getStats({})).cacheAwareDecisions).toBeGreaterThan(0n);

  await m.mesh.services['kv-directory']!.stop(100);
  const results = [];
  // Three waves of four concurrent requests: with leases outstanding, load differs between workers.
  for (let wave = 0; wave < 3; wave++) results.push(...(await Promise.all([1, 2, 3, 4].map((i) => run(wave * 4 + i)))));
  for (const r of results) expect(r.final?.usage?.completionTokens).toBe(4);

  const stats = await m.c.scheduler.getStats({});
  expect(stats.loadOnlyDecisions).toBeGreaterThanOrEqual(12n);
  expect(stats.kvDirectoryBreaker).toBe('open');
  // Work was still spread by load: both workers served requests.
  expect(new Set(results.map((r) => r.final?.workerId)).size).toBe(2);
}, 60_000);
