// Runs the mesh as separate processes with the environment deploy/ gives each container (compose and the
// dev overlay), against real Kafka, NATS and PostgreSQL from tools/infra: ingress and worker-supervisor with
// their outboxes and pod-style producer names, two billing instances (active/standby on the advisory lock).
// It checks what the manifests rely on and no container engine or cluster can be run for here: gRPC health
// through the images' own healthcheck script, a billed request, standby take-over on SIGTERM of the leader,
// ingress restarted on the same outbox, and the RSS of each process (the numbers behind the resource limits).
// Needs `npm run build` (dist/) and the brokers in .tools. Usage: node deploy/tools/process-smoke.mjs [requests]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { FileEventLog, scanLog, verifyLog } from '@infermesh/event-log';
import { startInfra, freePort } from '@infermesh/infra';
import { spawnService } from '../../tools/cli/dist/mesh/service-process.js';
import pg from 'pg';

const REQUESTS = Number(process.argv[2] ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'infermesh-deploy-smoke-'));
const t0 = Date.now();
const say = (msg) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}\n`);
const logs = new Map();
const onLog = (name) => (b) => logs.set(name, ((logs.get(name) ?? '') + b.toString()).slice(-4000));
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const children = (pid) => execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().trim().split(/\s+/).filter(Boolean).map(Number);
const duBytes = (d) => readdirSync(d).reduce((n, f) => n + statSync(join(d, f)).size, 0);
const healthy = (env, hostVar, portVar) => {
  try {
    execFileSync(process.execPath, ['deploy/docker/grpc-health.cjs', hostVar, portVar, ''], { env: { ...process.env, ...env }, stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
};

const infra = await startInfra({ dataDir: join(dir, 'infra'), ownerPid: process.pid });
const procs = [];
try {
  say(`infra up: kafka ${infra.kafka.brokers.join(',')} nats ${infra.nats.url}`);
  const apiKey = 'im-smoke-0000000000000000';
  const common = { INFERMESH_LOG_LEVEL: 'info', NODE_ENV: 'production' };
  const p = { tok: await freePort(), kv: await freePort(), sup: await freePort(), sch: await freePort(), b1: await freePort(), b2: await freePort(), grpc: await freePort(), http: await freePort() };
  const start = async (name, service, port, env) => {
    const s = await spawnService({ service, address: `127.0.0.1:${port}`, env: { ...common, ...env }, onLog: onLog(name), readyTimeoutMs: 90_000 });
    procs.push(s);
    return s;
  };
  const nats = { INFERMESH_NATS_URL: infra.nats.url };
  const kafka = { INFERMESH_KAFKA_BROKERS: infra.kafka.brokers.join(',') };
  const billingEnv = (port) => ({ ...kafka, INFERMESH_DATABASE_URL: infra.postgres.url, INFERMESH_BILLING_HOST: '0.0.0.0', INFERMESH_BILLING_PORT: String(port), INFERMESH_API_KEYS: `dev:${apiKey}`, INFERMESH_BILLING_ADMIN_TOKEN: 'smoke-admin' });
  const ingressEnv = { ...kafka, INFERMESH_HOST: '0.0.0.0', INFERMESH_GRPC_PORT: String(p.grpc), INFERMESH_HTTP_PORT: String(p.http), INFERMESH_TOKENIZER_ADDRESS: `127.0.0.1:${p.tok}`, INFERMESH_SCHEDULER_ADDRESS: `127.0.0.1:${p.sch}`, INFERMESH_EVENT_LOG_DIR: join(dir, 'ingress-0-outbox'), INFERMESH_INGRESS_PRODUCER: 'ingress/ingress-0', INFERMESH_EVENT_OUTBOX_MAX_EVENTS: '100000', INFERMESH_API_KEYS: `dev:${apiKey}` };
  const [tok, kv, sup] = await Promise.all([
    start('tokenizer', 'tokenizer', p.tok, { INFERMESH_TOKENIZER_HOST: '0.0.0.0', INFERMESH_TOKENIZER_PORT: String(p.tok) }),
    start('kv-directory', 'kv-directory', p.kv, { ...nats, INFERMESH_KV_DIRECTORY_HOST: '0.0.0.0', INFERMESH_KV_DIRECTORY_PORT: String(p.kv) }),
    start('worker-supervisor', 'worker-supervisor', p.sup, { ...nats, ...kafka, INFERMESH_WORKER_SUPERVISOR_HOST: '127.0.0.1', INFERMESH_WORKER_SUPERVISOR_PORT: String(p.sup), INFERMESH_WORKER_SUPERVISOR_WORKERS: '2', INFERMESH_WORKER_SUPERVISOR_OUTBOX_DIR: join(dir, 'supervisor-outbox'), INFERMESH_WORKER_SUPERVISOR_PRODUCER: 'worker-supervisor/worker-supervisor-0' }),
  ]);
  const sch = await start('scheduler', 'scheduler', p.sch, { ...nats, INFERMESH_SCHEDULER_HOST: '0.0.0.0', INFERMESH_SCHEDULER_PORT: String(p.sch), INFERMESH_KV_DIRECTORY_ADDRESS: kv.address, INFERMESH_SUPERVISOR_ADDRESS: sup.address, INFERMESH_SCHEDULER_POLICY: 'cache-aware' });
  // billing-a starts first and takes the advisory lock; billing-b then stands by (both serve reads).
  const b1 = await start('billing-a', 'billing', p.b1, billingEnv(p.b1));
  const b2 = await start('billing-b', 'billing', p.b2, billingEnv(p.b2));
  let ingress = await start('ingress', 'ingress', p.grpc, ingressEnv);
  say('all processes serving');
  const checks = [['tokenizer', { INFERMESH_SERVICE: 'tokenizer', INFERMESH_TOKENIZER_HOST: '0.0.0.0', INFERMESH_TOKENIZER_PORT: String(p.tok) }, 'INFERMESH_TOKENIZER_HOST', 'INFERMESH_TOKENIZER_PORT'], ['ingress', ingressEnv, 'INFERMESH_HOST', 'INFERMESH_GRPC_PORT'], ['billing-a', billingEnv(p.b1), 'INFERMESH_BILLING_HOST', 'INFERMESH_BILLING_PORT'], ['billing-b', billingEnv(p.b2), 'INFERMESH_BILLING_HOST', 'INFERMESH_BILLING_PORT']];
  say(`grpc-health.cjs: ${checks.map(([n, e, h, q]) => `${n} ${healthy(e, h, q) ? 'SERVING' : 'NOT SERVING'}`).join(', ')}`);

  const generate = async (i) => {
    const res = await globalThis.fetch(`http://127.0.0.1:${p.http}/v1/completions`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'llama-3.1-8b-instruct', prompt: `deploy smoke request ${i}`, max_tokens: 8 }) });
    if (res.status !== 200) throw new Error(`request ${i}: HTTP ${res.status} ${await res.text()}`);
  };
  const db = new pg.Client({ connectionString: infra.postgres.url });
  await db.connect();
  const lines = async () => Number((await db.query('SELECT count(*)::int AS n FROM ledger_lines')).rows[0].n);
  const waitLines = async (n, ms) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if ((await lines()) >= n) return true;
      await sleep(200);
    }
    return false;
  };
  for (let i = 0; i < REQUESTS; i++) await generate(i);
  say(`${REQUESTS} requests served; ledger lines: ${(await waitLines(REQUESTS, 30_000)) ? await lines() : `only ${await lines()} after 30 s`}`);
  const outboxBytes = duBytes(join(dir, 'ingress-0-outbox'));
  say(`ingress outbox: ${outboxBytes} bytes after ${REQUESTS} requests (${Math.round(outboxBytes / REQUESTS)} B/request, kept after publishing)`);

  const mem = [tok, kv, sup, sch, b1, b2, ingress].map((s) => `${s.name} ${rssMb(s.pid).toFixed(0)} MB`);
  const workers = children(sup.pid).map((pid) => rssMb(pid).toFixed(0));
  say(`RSS: ${mem.join(', ')}; workers ${workers.join(' + ')} MB`);

  // The ledger lock is a session advisory lock: one granted advisory lock while a consumer leads.
  const leaderLocks = async () => Number((await db.query("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted")).rows[0].n);
  say(`advisory locks held with two billing instances up: ${await leaderLocks()}`);
  const stopAt = Date.now();
  await b1.stop(20_000);
  say(`leader (billing-a) exited on SIGTERM in ${Date.now() - stopAt} ms`);
  while ((await leaderLocks()) === 0 && Date.now() - stopAt < 15_000) await sleep(50);
  say(`standby (billing-b) holds the lock ${Date.now() - stopAt} ms after SIGTERM of the leader: ${(await leaderLocks()) === 1}`);

  const sigAt = Date.now();
  await ingress.stop(20_000);
  say(`ingress stopped on SIGTERM in ${Date.now() - sigAt} ms; restarting on the same outbox and producer`);
  procs.splice(procs.indexOf(ingress), 1);
  ingress = await start('ingress-2', 'ingress', p.grpc, ingressEnv);
  for (let i = 0; i < REQUESTS; i++) await generate(REQUESTS + i);
  say(`after restart + ${REQUESTS} more requests, ledger lines: ${(await waitLines(2 * REQUESTS, 30_000)) ? await lines() : `only ${await lines()} after 30 s`} (expected ${2 * REQUESTS})`);
  const dup = (await db.query('SELECT (count(*) - count(DISTINCT request_id))::int AS n FROM ledger_lines')).rows[0].n;
  say(`requests charged twice: ${dup}`);
  await ingress.stop(20_000);
  const outbox = await FileEventLog.open(join(dir, 'ingress-0-outbox'), { readOnly: true });
  const records = [];
  for await (const r of scanLog(outbox)) records.push(r);
  await outbox.close();
  const v = verifyLog(records);
  say(`ingress outbox across the restart: chain ${v.ok ? 'intact' : `BROKEN (${v.problems.slice(0, 2).join('; ')})`}, producers ${v.producers.map((q) => `${q.name} (${q.count} events, last sequence ${q.lastSequence})`).join(', ')}`);
  await db.end();
} catch (err) {
  say(`FAILED: ${err instanceof Error ? err.stack : err}`);
  for (const [n, l] of logs) process.stdout.write(`--- ${n}\n${l.slice(-1500)}\n`);
  process.exitCode = 1;
} finally {
  for (const s of procs.reverse()) await s.stop(20_000).catch(() => {});
  await infra.stop();
  rmSync(dir, { recursive: true, force: true });
  say('stopped');
}
