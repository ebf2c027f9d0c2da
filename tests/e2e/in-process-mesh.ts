import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meshConfigFromEnv, startClusterMesh, startEmbeddedMesh, type EmbeddedMesh } from '@infermesh/cli';
import { meshProfile } from '@infermesh/testing';
import { createLogger } from '@infermesh/telemetry';
import { meshClients, type MeshClients } from './mesh-clients.js';

/**
 * The mesh started from the test process (so one service can be stopped alone), with clients:
 * the embedded profile in this process, or the cluster profile as child processes against brokers
 * it starts (INFERMESH_E2E_PROFILE=cluster).
 */
export interface InProcessMesh {
  mesh: EmbeddedMesh;
  c: MeshClients;
  apiKey: string;
  stop(): Promise<void>;
}

/**
 * Starts the embedded mesh on free ports in a fresh data directory, configured by INFERMESH_* variables
 * on top of quiet test defaults; `stop` closes the clients, stops the mesh and removes the directory.
 */
export async function startInProcessMesh(env: Record<string, string> = {}): Promise<InProcessMesh> {
  const dataDir = await mkdtemp(join(tmpdir(), 'infermesh-inproc-'));
  const apiKey = `im-dev-test-${Math.random().toString(36).slice(2)}`;
  const config = meshConfigFromEnv({
    INFERMESH_GRPC_PORT: '0',
    INFERMESH_HTTP_PORT: '0',
    INFERMESH_DATA_DIR: dataDir,
    INFERMESH_DEV_API_KEY: apiKey,
    INFERMESH_LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = createLogger({ service: 'test', level: 'silent' });
  const mesh = meshProfile() === 'cluster'
    ? await startClusterMesh(config, logger, { onLog: () => {} })
    : await startEmbeddedMesh(config, logger);
  const c = meshClients({ grpc: mesh.grpcAddress, addresses: mesh.addresses });
  return {
    mesh,
    c,
    apiKey,
    async stop() {
      c.close();
      await mesh.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
