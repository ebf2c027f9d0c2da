import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { meshConfigFromEnv, startEmbeddedMesh, type EmbeddedMesh } from '@infermesh/cli';
import { createLogger } from '@infermesh/telemetry';
import { generate, meshClients, type MeshClients } from './mesh-clients.js';

// The embedded mesh started in this process, so that one service can be stopped alone.
let mesh: EmbeddedMesh;
let c: MeshClients;
let dataDir: string;
const API_KEY = 'im-dev-degraded-test-key';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'infermesh-degraded-'));
  const config = meshConfigFromEnv({ INFERMESH_GRPC_PORT: '0', INFERMESH_HTTP_PORT: '0', INFERMESH_DATA_DIR: dataDir, INFERMESH_WORKERS: '2', INFERMESH_DEV_API_KEY: API_KEY, INFERMESH_LOG_LEVEL: 'silent' });
  mesh = await startEmbeddedMesh(config, createLogger({ service: 'test', level: 'silent' }));
  c = meshClients({ grpc: mesh.grpcAddress, addresses: mesh.addresses });
}, 90_000);

afterAll(async () => {
  c?.close();
  await mesh?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

it('a stopped kv-directory opens the scheduler breaker and routing falls back to load alone without failing requests', async () => {
  const run = (i: number) => generate(c.inference, API_KEY, { model: 'llama-3.1-8b-instruct', input: { case: 'prompt', value: `degraded mode request ${i}: ${'a prompt long enough to fill several sixteen-token cache blocks, '.repeat(4)}` }, maxTokens: 4 });
  await run(0);
  expect((await c.scheduler.getStats({})).cacheAwareDecisions).toBeGreaterThan(0n);

  await mesh.services['kv-directory']!.stop(100);
  const results = [];
  // Three waves of four concurrent requests: with leases outstanding, load differs between workers.
  for (let wave = 0; wave < 3; wave++) results.push(...(await Promise.all([1, 2, 3, 4].map((i) => run(wave * 4 + i)))));
  for (const r of results) expect(r.final?.usage?.completionTokens).toBe(4);

  const stats = await c.scheduler.getStats({});
  expect(stats.loadOnlyDecisions).toBeGreaterThanOrEqual(12n);
  expect(stats.kvDirectoryBreaker).toBe('open');
  // Work was still spread by load: both workers served requests.
  expect(new Set(results.map((r) => r.final?.workerId)).size).toBe(2);
}, 60_000);
