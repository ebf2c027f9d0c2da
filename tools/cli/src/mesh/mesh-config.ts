import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { parseApiKeySpec } from '@infermesh/auth';
import { envInt, envPort, envString, type Env } from '@infermesh/config';

/** Configuration of the embedded mesh, from INFERMESH_* environment variables. */
export interface MeshConfig {
  host: string;
  grpcPort: number;
  httpPort: number;
  /** Ports of the internal services; 0 (the default) picks free ones. */
  internalPorts: { tokenizer: number; scheduler: number; kvDirectory: number; supervisor: number; billing: number };
  dataDir: string;
  workers: number;
  logLevel: string;
  devApiKey: string;
  devApiKeyGenerated: boolean;
  /** Extra tenants for development: "tenant:key,tenant2:key2". */
  extraKeys: Array<{ tenantId: string; apiKey: string }>;
  adminToken: string;
  queueCapacity: number;
  /** Sequences one simulated worker runs at once (its scheduler capacity). */
  maxNumSeqs: number;
  /** Routing policy of the scheduler, by name (see services/scheduler/src/routing/policies). */
  schedulerPolicy: string;
}

function randomKey(prefix: string): string {
  return `${prefix}-${randomBytes(18).toString('base64url')}`;
}

export function meshConfigFromEnv(env: Env): MeshConfig {
  const devKey = env['INFERMESH_DEV_API_KEY'];
  const extra = parseApiKeySpec(envString(env, 'INFERMESH_API_KEYS', ''));
  return {
    host: envString(env, 'INFERMESH_HOST', '127.0.0.1'),
    grpcPort: envPort(env, 'INFERMESH_GRPC_PORT', 50051),
    httpPort: envPort(env, 'INFERMESH_HTTP_PORT', 8080),
    internalPorts: {
      tokenizer: envPort(env, 'INFERMESH_TOKENIZER_PORT', 0),
      scheduler: envPort(env, 'INFERMESH_SCHEDULER_PORT', 0),
      kvDirectory: envPort(env, 'INFERMESH_KV_DIRECTORY_PORT', 0),
      supervisor: envPort(env, 'INFERMESH_SUPERVISOR_PORT', 0),
      billing: envPort(env, 'INFERMESH_BILLING_PORT', 0),
    },
    dataDir: resolve(envString(env, 'INFERMESH_DATA_DIR', '.infermesh')),
    workers: envInt(env, 'INFERMESH_WORKERS', 4, 1, 256),
    logLevel: envString(env, 'INFERMESH_LOG_LEVEL', 'info'),
    devApiKey: devKey !== undefined && devKey !== '' ? devKey : randomKey('im-dev'),
    devApiKeyGenerated: devKey === undefined || devKey === '',
    extraKeys: extra,
    adminToken: envString(env, 'INFERMESH_ADMIN_TOKEN', randomKey('im-admin')),
    queueCapacity: envInt(env, 'INFERMESH_QUEUE_CAPACITY', 256, 1, 1_000_000),
    maxNumSeqs: envInt(env, 'INFERMESH_MAX_NUM_SEQS', 64, 1, 4096),
    schedulerPolicy: envString(env, 'INFERMESH_SCHEDULER_POLICY', 'cache-aware'),
  };
}
