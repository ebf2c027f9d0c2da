import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultBillingOptions, replayLedger } from '@infermesh/billing';
import { meshConfigFromEnv, startClusterMesh, type ClusterMesh } from '@infermesh/cli';
import { pythonRatedUsageTotals } from '@infermesh/consumers';
import { fromBinary } from '@bufbuild/protobuf';
import { NatsBus, Subjects } from '@infermesh/control-bus';
import { FileEventLog, highWaterMarks, KafkaTopics } from '@infermesh/event-log';
import { engine } from '@infermesh/proto';
import { Kafka, logLevel } from 'kafkajs';
import { startInfra, type Infra } from '@infermesh/infra';
import { createLogger } from '@infermesh/telemetry';
import { REPO_ROOT, waitFor } from '@infermesh/testing';
import { bearer, generate, meshClients, readEvents, type MeshClients, type StreamResult } from '../e2e/mesh-clients.js';

// The cluster profile under broker faults: every service its own process, real Kafka, NATS and
// PostgreSQL, brokers stopped and restarted while requests flow.
const MODEL = 'llama-3.1-8b-instruct';
const ADMIN = `im-admin-${Math.random().toString(36).slice(2)}`;
let infra: Infra;
let mesh: ClusterMesh;
let c: MeshClients;
let apiKey: string;
let dataDir: string;
/** The tail of each service's JSON log, for failure messages. */
const logs: Record<string, string> = {};

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'infermesh-faults-'));
  infra = await startInfra();
  apiKey = `im-dev-test-${Math.random().toString(36).slice(2)}`;
  const config = meshConfigFromEnv({
    INFERMESH_GRPC_PORT: '0',
    INFERMESH_HTTP_PORT: '0',
    INFERMESH_DATA_DIR: dataDir,
    INFERMESH_DEV_API_KEY: apiKey,
    INFERMESH_ADMIN_TOKEN: ADMIN,
    INFERMESH_LOG_LEVEL: 'info',
    INFERMESH_WORKERS: '2',
  });
  mesh = await startClusterMesh(config, createLogger({ service: 'test', level: 'silent' }), {
    infra: { kafkaBrokers: infra.kafka.brokers, natsUrl: infra.nats.url, databaseUrl: infra.postgres.url },
    onLog: (service, chunk) => {
      logs[service] = ((logs[service] ?? '') + chunk.toString()).slice(-20_000);
      if (process.env['DEBUG_FAULT_LOGS'] !== undefined) appendFileSync(`${process.env['DEBUG_FAULT_LOGS']}-${service}.log`, chunk);
    },
  });
  c = meshClients({ grpc: mesh.grpcAddress, addresses: mesh.addresses });
}, 240_000);

afterAll(async () => {
  c?.close();
  await mesh?.stop();
  await infra?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 120_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const prompt = (tag: string) => `${tag}: ${'a prompt long enough to fill several sixteen-token cache blocks, '.repeat(4)}`;
const run = (tag: string, maxTokens = 6): Promise<StreamResult> => generate(c.inference, apiKey, { model: MODEL, input: { case: 'prompt', value: prompt(tag) }, maxTokens });

/** Starts requests at `perSecond` until `stop` is called; resolves with every result (rejects on the first failure). */
function steadyLoad(perSecond: number): { stop: () => Promise<StreamResult[]> } {
  const runs: Promise<StreamResult>[] = [];
  let i = 0;
  const timer = setInterval(() => runs.push(run(`load ${i++}`)), 1000 / perSecond);
  return {
    stop: async () => {
      clearInterval(timer);
      return Promise.all(runs);
    },
  };
}

/** The live ledger equals a replay of everything ingress logged, and holds each usage event once. */
async function expectLedgerEqualsLog(): Promise<void> {
  const usageEvents = (await readEvents(mesh.eventLogDir)).filter((e) => e.payload.case === 'usageRecorded');
  expect(new Set(usageEvents.map((e) => e.id)).size).toBe(usageEvents.length);
  const log = await FileEventLog.open(mesh.eventLogDir, { readOnly: true });
  try {
    const replayed = await replayLedger(log, { priceBook: defaultBillingOptions().priceBook });
    expect(replayed.lines).toBe(BigInt(usageEvents.length));
    const live = await waitFor('the live ledger to equal the replay of the log', async () => {
      const d = await c.billing.getLedgerDigest({}, { headers: bearer(ADMIN) });
      return d.lines === replayed.lines && Buffer.from(d.sha256).equals(Buffer.from(replayed.sha256)) ? d : undefined;
    }, 90_000, 500);
    expect(live.totalAmountMicros).toBe(replayed.totalAmountMicros);
  } finally {
    await log.close();
  }
}

describe('the cluster profile under broker faults', () => {
  it('keeps serving while Kafka is stopped for 30 s, then bills every usage event exactly once', async () => {
    const load = steadyLoad(4);
    await sleep(3000);
    await infra.kafka.stop({ keepData: true });
    await sleep(30_000);
    await infra.kafka.start();
    await sleep(3000);
    const results = await load.stop();
    expect(results.length).toBeGreaterThan(100);
    for (const r of results) expect(r.final?.usage?.completionTokens).toBe(6);
    await expectLedgerEqualsLog();
    for (const p of Object.values(mesh.processes)) expect(p.alive()).toBe(true);
  }, 240_000);

  it('routes by load alone while NATS is away and returns to cache-aware routing without a restart', async () => {
    await run('warm cache', 2);
    await run('warm cache', 2);
    const before = await c.scheduler.getStats({});
    expect(before.cacheAwareDecisions).toBeGreaterThan(0n);

    await infra.nats.stop({ keepData: true });
    const during = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => run(`nats away ${i}`, 2)));
    for (const r of during) expect(r.final?.usage?.completionTokens).toBe(2);
    const away = await c.scheduler.getStats({});
    expect(away.loadOnlyDecisions - before.loadOnlyDecisions).toBeGreaterThanOrEqual(6n);
    expect(away.cacheAwareDecisions).toBe(before.cacheAwareDecisions);

    await infra.nats.start();
    // Back: the directory re-learns from new KV events, so a repeated prompt is routed to its cache again.
    await waitFor('cache-aware routing to resume', async () => {
      const tag = `after nats ${Date.now()}`;
      await run(tag, 2);
      const s0 = await c.scheduler.getStats({});
      const again = await run(tag, 2);
      const s1 = await c.scheduler.getStats({});
      return s1.cacheAwareDecisions > s0.cacheAwareDecisions && (again.final?.usage?.cachedPromptTokens ?? 0) > 0 ? true : undefined;
    }, 60_000, 500);
    // Recovered on its own: every service process is the one started at the beginning.
    for (const p of Object.values(mesh.processes)) expect(p.alive()).toBe(true);
  }, 180_000);

  it('a consumer that is not TypeScript (Python, classes generated from proto/) reads the rated-usage topic and gets GetUsage\'s totals', async () => {
    await run('rated usage check', 3);
    // Billing charges and then publishes asynchronously: compare once both sides have settled on the
    // same figures (a snapshot of either taken alone can trail the other by the last few requests).
    let last = '';
    const settled = await waitFor('the Python totals to equal GetUsage', async () => {
      const total = (await c.billing.getUsage({}, { headers: bearer(apiKey) })).total!;
      const python = await pythonRatedUsageTotals(infra.kafka.brokers, { idleMs: 2000 });
      const dev = python.tenants.get('dev');
      last = `GetUsage ${total.requests} requests / ${total.amountMicros} micros; Python ${dev?.requests} / ${dev?.amountMicros} (${python.records} records)`;
      return dev !== undefined && dev.requests === total.requests ? { total, python } : undefined;
    }, 90_000, 1000).catch((err: unknown) => {
      throw new Error(`${String(err)}; last seen: ${last}`);
    });
    const { total, python } = settled;
    expect(total.requests).toBeGreaterThan(100n);
    expect(python.tenants.get('dev')).toEqual({
      requests: total.requests,
      promptTokens: total.promptTokens,
      cachedPromptTokens: total.cachedPromptTokens,
      completionTokens: total.completionTokens,
      amountMicros: total.amountMicros,
    });
    expect([...python.tenants.keys()]).toEqual(['dev']);
  }, 180_000);

  it('audits Kafka: every producer\'s hash chain verifies across the topics, and the live ledger equals a replay of the usage topic', () => {
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/cli/dist/main.js'), 'replay', '--kafka', infra.kafka.brokers.join(','), '--billing', mesh.addresses['billing']!, '--admin-token', ADMIN], { encoding: 'utf8', timeout: 120_000 });
    expect(run.stdout).toMatch(/hash chains verified \(.*billing: \d+.*ingress\/cluster-0: \d+.*worker-supervisor\/cluster-0: \d+/);
    expect(run.stdout).toContain('REPLAY MATCHES');
    expect(run.status).toBe(0);
  }, 150_000);

  it('publishes a client\'s cancellation on NATS for the worker\'s supervisor to relay to the engine', async () => {
    const bus = await NatsBus.connect({ servers: infra.nats.url, name: 'cancel-watch' });
    const seen: { workerId: string; requestId: string; reason: string }[] = [];
    bus.subscribe(Subjects.workerCancelAll, (data, subject) => {
      const req = fromBinary(engine.EngineCancelRequestSchema, data);
      seen.push({ workerId: subject.slice(subject.lastIndexOf('.') + 1), requestId: req.requestId, reason: req.reason });
    });
    await bus.connection.flush();
    const abort = new AbortController();
    let requestId = '';
    const stream = c.inference.generate({ model: MODEL, input: { case: 'prompt', value: prompt('cancel me') }, maxTokens: 2000 }, { headers: bearer(apiKey), signal: abort.signal });
    await expect((async () => {
      for await (const msg of stream) {
        if (msg.event.case === 'started') requestId = msg.event.value.requestId;
        if (msg.event.case === 'chunk') abort.abort();
      }
    })()).rejects.toMatchObject({ code: 1 });
    expect(requestId).not.toBe('');
    const got = await waitFor('the cancellation on NATS', () => seen.find((s) => s.requestId === requestId), 10_000);
    expect(got.reason).toBe('client_cancelled');
    const workers = (await c.supervisor.listWorkers({})).workers.map((w) => w.workerId);
    expect(workers).toContain(got.workerId);
    await bus.close();
  }, 60_000);

  it('billing\'s stored positions reach the usage topic\'s ends, transaction markers included', async () => {
    const kafka = new Kafka({ clientId: 'positions-check', brokers: infra.kafka.brokers, logLevel: logLevel.NOTHING });
    let ends = await highWaterMarks(kafka, [KafkaTopics.usage]);
    const settled = await waitFor('billing positions to reach the ends of the usage topic', async () => {
      const d = await c.billing.getLedgerDigest({}, { headers: bearer(ADMIN) });
      ends = await highWaterMarks(kafka, [KafkaTopics.usage]);
      const at = new Map(d.positions.map((p) => [p.source, p.nextOffset]));
      return [...ends].every(([source, { high }]) => high === 0n || at.get(source) === high) ? at : undefined;
    }, 30_000, 500);
    expect([...ends.values()].some((e) => e.high > 0n)).toBe(true);
    expect(settled.size).toBeGreaterThan(0);
  }, 60_000);
});
