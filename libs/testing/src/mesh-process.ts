import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is libs/testing/src or libs/testing/dist). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** Which deployment the harness starts: `INFERMESH_E2E_PROFILE` ("embedded", the default, or "cluster"). */
export type MeshProfile = 'embedded' | 'cluster';

export function meshProfile(): MeshProfile {
  return process.env['INFERMESH_E2E_PROFILE'] === 'cluster' ? 'cluster' : 'embedded';
}

export interface MeshProcess {
  profile: MeshProfile;
  grpc: string;
  http: string;
  addresses: Record<string, string>;
  eventLogDir: string;
  ledgerDir: string;
  dataDir: string;
  apiKeys: Record<string, string>;
  adminToken: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr (its JSON logs), for assertions on what is logged. */
  logs(): string;
  /** SIGTERM, wait for exit (SIGKILL after 15 s), remove the data dir unless keepData. */
  stop(opts?: { keepData?: boolean }): Promise<number | null>;
}

/**
 * Starts the mesh exactly as `npm start` (or, on the cluster profile, `npm run start:cluster`)
 * does: the built CLI's `start` command on free ports with a fresh data directory; resolves once
 * it prints its ready line. Requires a build (`npm test` builds first).
 */
export async function startMeshProcess(options: { tenants?: string[]; workers?: number; env?: Record<string, string>; profile?: MeshProfile } = {}): Promise<MeshProcess> {
  const profile = options.profile ?? meshProfile();
  const dataDir = await mkdtemp(join(tmpdir(), 'infermesh-test-'));
  const tenants = options.tenants ?? ['acme', 'globex'];
  const apiKeys: Record<string, string> = Object.fromEntries(tenants.map((t) => [t, `im-test-${t}-${randomBytes(8).toString('hex')}`]));
  const adminToken = `im-admin-${randomBytes(8).toString('hex')}`;
  const env = {
    ...process.env,
    INFERMESH_GRPC_PORT: '0',
    INFERMESH_HTTP_PORT: '0',
    INFERMESH_DATA_DIR: dataDir,
    INFERMESH_WORKERS: String(options.workers ?? 4),
    INFERMESH_API_KEYS: Object.entries(apiKeys).map(([t, k]) => `${t}:${k}`).join(','),
    INFERMESH_ADMIN_TOKEN: adminToken,
    INFERMESH_LOG_LEVEL: 'info',
    ...options.env,
  };
  const child = spawn(process.execPath, [join(REPO_ROOT, 'tools/cli/dist/main.js'), 'start', ...(profile === 'cluster' ? ['--cluster'] : [])], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  // Its own process group: the SIGKILL fallback reaches the service processes of the cluster profile too.
  const killGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      child.kill(signal);
    }
  };
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const ready = await new Promise<{ grpc: string; http: string; addresses: Record<string, string>; eventLogDir: string; ledgerDir: string }>((resolvePromise, reject) => {
    let stdout = '';
    const readyMs = profile === 'cluster' ? 180_000 : 60_000;
    const timer = setTimeout(() => {
      killGroup('SIGKILL');
      reject(new Error(`mesh did not become ready in ${readyMs / 1000} s; stderr tail:\n${stderr.slice(-3000)}`));
    }, readyMs);
    child.stdout!.on('data', (b: Buffer) => {
      stdout += b.toString();
      const m = /^INFERMESH_READY (.*)$/m.exec(stdout);
      if (m !== null) {
        clearTimeout(timer);
        resolvePromise(JSON.parse(m[1]!));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`mesh exited with ${code} before it was ready; stderr tail:\n${stderr.slice(-3000)}`));
    });
  });
  return {
    ...ready,
    profile,
    dataDir,
    apiKeys,
    adminToken,
    child,
    logs: () => stderr,
    async stop(opts) {
      let code: number | null = child.exitCode;
      if (code === null) {
        const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
        child.kill('SIGTERM');
        const timer = setTimeout(() => killGroup('SIGKILL'), profile === 'cluster' ? 60_000 : 15_000);
        code = await exited;
        clearTimeout(timer);
      }
      if (opts?.keepData !== true) await rm(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}
