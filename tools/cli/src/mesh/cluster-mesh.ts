import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startInfra, type Infra } from '@infermesh/infra';
import type { Logger } from '@infermesh/telemetry';
import type { EmbeddedMesh } from './embedded-mesh.js';
import type { MeshConfig } from './mesh-config.js';
import { spawnService, type ServiceProcess } from './service-process.js';

/** Where the cluster profile's brokers are. */
export interface ClusterInfraEndpoints {
  kafkaBrokers: string[];
  natsUrl: string;
  databaseUrl: string;
}

/** The mesh as separate processes against real brokers; the same shape as the embedded mesh. */
export interface ClusterMesh extends EmbeddedMesh {
  profile: 'cluster';
  infra: ClusterInfraEndpoints;
  /** The service processes by name (pids, signals for fault tests). */
  processes: Record<string, ServiceProcess>;
}

export interface ClusterMeshOptions {
  /** Brokers to use; when omitted, Kafka, NATS and PostgreSQL are started (and stopped) here. */
  infra?: ClusterInfraEndpoints;
  /** Receives each service's stderr (JSON logs); default: this process's stderr. */
  onLog?: (service: string, chunk: Buffer) => void;
  readyTimeoutMs?: number;
}

/**
 * Starts every service as its own process (`services/<name>/dist/main.js`, the same entry a
 * container runs) against Kafka (event log, usage, rated usage), NATS (control bus, worker
 * registry) and PostgreSQL (ledger), on the ports and variables `npm start` uses. Infrastructure
 * not given is started through @infermesh/infra in `<dataDir>/infra` (kept across restarts).
 * Stops in reverse order, ingress first, then the infrastructure it started.
 */
export async function startClusterMesh(config: MeshConfig, logger: Logger, options: ClusterMeshOptions = {}): Promise<ClusterMesh> {
  const root = join(config.dataDir, 'cluster');
  await mkdir(root, { recursive: true });
  let ownInfra: Infra | undefined;
  const started: ServiceProcess[] = [];
  const stopAll = async (): Promise<void> => {
    for (const s of [...started].reverse()) await s.stop(10_000).catch((err: unknown) => logger.error({ err, service: s.name }, 'stop failed'));
    await ownInfra?.stop();
  };
  try {
    let infra = options.infra;
    if (infra === undefined) {
      logger.info({ dir: join(root, 'infra') }, 'starting Kafka, NATS and PostgreSQL');
      ownInfra = await startInfra({ dataDir: join(root, 'infra'), ownerPid: process.pid });
      infra = { kafkaBrokers: ownInfra.kafka.brokers, natsUrl: ownInfra.nats.url, databaseUrl: ownInfra.postgres.url };
    }
    const host = config.host;
    const port = async (p: number): Promise<number> => (p === 0 ? freePort() : p);
    const ports = {
      tokenizer: await port(config.internalPorts.tokenizer),
      kvDirectory: await port(config.internalPorts.kvDirectory),
      supervisor: await port(config.internalPorts.supervisor),
      scheduler: await port(config.internalPorts.scheduler),
      billing: await port(config.internalPorts.billing),
      grpc: await port(config.grpcPort),
      http: await port(config.httpPort),
    };
    const at = (p: number): string => `${host}:${p}`;
    const apiKeys = [{ tenantId: 'dev', apiKey: config.devApiKey }, ...config.extraKeys].map((k) => `${k.tenantId}:${k.apiKey}`).join(',');
    const common = {
      INFERMESH_LOG_LEVEL: config.logLevel,
      INFERMESH_KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      INFERMESH_NATS_URL: infra.natsUrl,
      INFERMESH_DATABASE_URL: infra.databaseUrl,
    };
    const onLog = options.onLog ?? ((_service: string, chunk: Buffer) => void process.stderr.write(chunk));
    const spawn = async (service: string, p: number, env: Record<string, string>): Promise<ServiceProcess> => {
      const s = await spawnService({ service, address: at(p), env: { ...common, ...env }, onLog: (b) => onLog(service, b), readyTimeoutMs: options.readyTimeoutMs ?? 60_000 });
      started.push(s);
      logger.info({ service, pid: s.pid, address: s.address }, 'service process serving');
      return s;
    };
    const [tokenizer, kv, supervisor] = await Promise.all([
      spawn('tokenizer', ports.tokenizer, { INFERMESH_TOKENIZER_HOST: host, INFERMESH_TOKENIZER_PORT: String(ports.tokenizer) }),
      spawn('kv-directory', ports.kvDirectory, { INFERMESH_KV_DIRECTORY_HOST: host, INFERMESH_KV_DIRECTORY_PORT: String(ports.kvDirectory) }),
      spawn('worker-supervisor', ports.supervisor, {
        INFERMESH_WORKER_SUPERVISOR_HOST: host,
        INFERMESH_WORKER_SUPERVISOR_PORT: String(ports.supervisor),
        INFERMESH_WORKER_SUPERVISOR_WORKERS: String(config.workers),
        INFERMESH_WORKER_SUPERVISOR_MAX_NUM_SEQS: String(config.maxNumSeqs),
        INFERMESH_WORKER_SUPERVISOR_OUTBOX_DIR: join(root, 'worker-supervisor-outbox'),
        INFERMESH_WORKER_SUPERVISOR_PRODUCER: 'worker-supervisor/cluster-0',
      }),
    ]);
    const scheduler = await spawn('scheduler', ports.scheduler, {
      INFERMESH_SCHEDULER_HOST: host,
      INFERMESH_SCHEDULER_PORT: String(ports.scheduler),
      INFERMESH_SCHEDULER_QUEUE_CAPACITY: String(config.queueCapacity),
      INFERMESH_SCHEDULER_POLICY: config.schedulerPolicy,
      INFERMESH_KV_DIRECTORY_ADDRESS: kv.address,
      INFERMESH_SUPERVISOR_ADDRESS: supervisor.address,
    });
    const billing = await spawn('billing', ports.billing, {
      INFERMESH_BILLING_HOST: host,
      INFERMESH_BILLING_PORT: String(ports.billing),
      INFERMESH_BILLING_ADMIN_TOKEN: config.adminToken,
      INFERMESH_API_KEYS: apiKeys,
    });
    const eventLogDir = join(root, 'ingress-outbox');
    const ingress = await spawn('ingress', ports.grpc, {
      INFERMESH_HOST: host,
      INFERMESH_GRPC_PORT: String(ports.grpc),
      INFERMESH_HTTP_PORT: String(ports.http),
      INFERMESH_TOKENIZER_ADDRESS: tokenizer.address,
      INFERMESH_SCHEDULER_ADDRESS: scheduler.address,
      INFERMESH_EVENT_LOG_DIR: eventLogDir,
      INFERMESH_INGRESS_PRODUCER: 'ingress/cluster-0',
      INFERMESH_API_KEYS: apiKeys,
    });
    const processes = Object.fromEntries(started.map((s) => [s.name, s]));
    return {
      profile: 'cluster',
      grpcAddress: ingress.address,
      httpAddress: at(ports.http),
      addresses: { tokenizer: tokenizer.address, 'kv-directory': kv.address, 'worker-supervisor': supervisor.address, scheduler: scheduler.address, billing: billing.address, ingress: ingress.address },
      eventLogDir,
      ledgerDir: withoutPassword(infra.databaseUrl),
      infra,
      processes,
      services: processes,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The URL with its password masked: it is printed and logged. */
function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable database URL)';
  }
}
