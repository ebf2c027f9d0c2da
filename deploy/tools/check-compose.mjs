// Checks the wiring of the compose file that the Compose loader cannot know about: the cluster-profile
// variables each service's main.ts reads, the outboxes on named volumes, no shared file log, resource limits.
// Input: `docker compose config --format json` on stdin (the normalised model, anchors and merges applied).
// Usage: docker compose -f deploy/docker-compose.yaml config --format json | node deploy/tools/check-compose.mjs
import { readFileSync } from 'node:fs';

const model = JSON.parse(readFileSync(0, 'utf8'));
const services = model.services ?? {};
const problems = [];
const fail = (msg) => problems.push(msg);

const MESH = ['tokenizer', 'kv-directory', 'worker-supervisor', 'scheduler', 'ingress', 'billing'];
const NATS = ['kv-directory', 'worker-supervisor', 'scheduler'];

/** The named volume mounted at `dir`, or undefined (a bind mount or tmpfs does not survive as an outbox should). */
function namedVolumeAt(svc, dir) {
  const v = (svc.volumes ?? []).find((m) => m.target === dir);
  return v !== undefined && v.type === 'volume' && v.source ? v.source : undefined;
}

const outboxes = new Map();
for (const name of MESH) {
  const svc = services[name];
  if (svc === undefined) {
    fail(`${name}: missing`);
    continue;
  }
  const env = svc.environment ?? {};
  const limits = svc.deploy?.resources?.limits;
  if (!limits?.memory || !limits?.cpus) fail(`${name}: no deploy.resources.limits (cpus and memory)`);
  if (!svc.healthcheck && svc.build === undefined) fail(`${name}: no healthcheck (the image's HEALTHCHECK needs the image build)`);
  if (svc.stop_signal !== 'SIGTERM' || !/^(1[6-9]|[2-5]\d)s$/.test(svc.stop_grace_period ?? '')) fail(`${name}: stop_signal SIGTERM and a stop_grace_period above the 15 s drain expected`);
  if (NATS.includes(name) && !String(env.INFERMESH_NATS_URL ?? '').startsWith('nats://')) fail(`${name}: INFERMESH_NATS_URL is not set`);
  if (env.INFERMESH_EVENT_LOG_DIR !== undefined && name !== 'ingress') fail(`${name}: INFERMESH_EVENT_LOG_DIR set (no shared file log in the cluster profile)`);
}

const outbox = (name, dirVar, producerVar) => {
  const svc = services[name];
  const env = svc?.environment ?? {};
  if (!env.INFERMESH_KAFKA_BROKERS) fail(`${name}: INFERMESH_KAFKA_BROKERS is not set`);
  const dir = env[dirVar];
  const volume = dir === undefined ? undefined : namedVolumeAt(svc, dir);
  if (volume === undefined) fail(`${name}: ${dirVar} (${dir}) is not on a named volume`);
  else if (outboxes.has(volume)) fail(`${name}: outbox volume ${volume} is shared with ${outboxes.get(volume)}`);
  else outboxes.set(volume, name);
  if (!/^[a-z][a-z0-9-]*\/[A-Za-z0-9._-]+$/.test(env[producerVar] ?? '')) fail(`${name}: ${producerVar} is not a "service/instance" producer name`);
  if ((svc?.deploy?.replicas ?? 1) !== 1) fail(`${name}: an outbox and a producer name belong to one container; replicas must be 1`);
};
if (services.ingress) outbox('ingress', 'INFERMESH_EVENT_LOG_DIR', 'INFERMESH_INGRESS_PRODUCER');
if (services['worker-supervisor']) outbox('worker-supervisor', 'INFERMESH_WORKER_SUPERVISOR_OUTBOX_DIR', 'INFERMESH_WORKER_SUPERVISOR_PRODUCER');

const billing = services.billing;
if (billing) {
  const env = billing.environment ?? {};
  if (!/^postgres(ql)?:\/\//.test(env.INFERMESH_DATABASE_URL ?? '')) fail('billing: INFERMESH_DATABASE_URL is not a postgres:// URL');
  if (!env.INFERMESH_KAFKA_BROKERS) fail('billing: INFERMESH_KAFKA_BROKERS is not set');
  if (env.INFERMESH_BILLING_DATA_DIR !== undefined) fail('billing: INFERMESH_BILLING_DATA_DIR set (the ledger is PostgreSQL)');
  if ((billing.volumes ?? []).length > 0) fail('billing: mounts volumes; it keeps no local state');
}

if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`compose: ${p}\n`);
  process.exit(1);
}
const replicas = (n) => services[n]?.deploy?.replicas ?? 1;
process.stdout.write(`ok  cluster env wired; outboxes on volumes ${[...outboxes.keys()].join(', ')}; billing on PostgreSQL + Kafka (${replicas('billing')} replicas); limits on all six\n`);
