import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingPrerequisiteError, StartFailedError } from './errors.js';
import { toolsDir } from './paths.js';
import { freePort, portOpen } from './ports.js';
import { which } from './prereqs.js';
import { groupAlive, spawnDaemon, stopDaemon, tail, waitUntil, type Daemon } from './proc.js';
import type { RunningServer, ServerOptions } from './server.js';

/**
 * nats-server built from the Go module proxy. Pinned rather than `@latest` so every machine runs
 * the same server; `INFERMESH_NATS_VERSION=latest` follows upstream.
 */
export const NATS_VERSION = process.env['INFERMESH_NATS_VERSION'] ?? 'v2.15.2';

export interface NatsServer extends RunningServer {
  readonly name: 'nats';
  /** The binary that runs: `.tools/nats/<version>/nats-server`, or a system one as the fallback. */
  readonly binary: string;
}

/**
 * The nats-server binary to run. First use builds it with `go install` into
 * `.tools/nats/<version>/` (about a minute on 2 cores; the ~300 MB Go caches are deleted after); without Go, a `nats-server` on PATH
 * (Debian's 2.9.10: JetStream and KV with TTL work, per-message TTL does not) is used.
 */
export function ensureNats(log: (line: string) => void = () => {}): string {
  const dir = join(toolsDir(), 'nats', NATS_VERSION);
  const bin = join(dir, 'nats-server');
  if (existsSync(bin)) return bin;
  if (which('go') !== undefined) {
    log(`infra: building nats-server ${NATS_VERSION} with go install into ${dir}`);
    mkdirSync(dir, { recursive: true });
    const go = join(toolsDir(), 'go');
    const r = spawnSync('go', ['install', `github.com/nats-io/nats-server/v2@${NATS_VERSION}`], {
      encoding: 'utf8',
      env: { ...process.env, GOBIN: dir, GOMODCACHE: join(go, 'mod'), GOCACHE: join(go, 'cache'), GOFLAGS: '-modcacherw -buildvcs=false' },
    });
    if (r.status === 0 && existsSync(bin)) {
      rmSync(go, { recursive: true, force: true });
      return bin;
    }
    log(`infra: go install of nats-server failed: ${r.stderr.slice(-800)}`);
  }
  const system = which('nats-server');
  if (system !== undefined) {
    log(`infra: using ${system} from PATH (not ${NATS_VERSION})`);
    return system;
  }
  throw new MissingPrerequisiteError(
    'nats-server',
    'could not be built or found (install Go so `go install github.com/nats-io/nats-server/v2` works, or `apt-get install -y nats-server`)',
  );
}

/** Starts nats-server with JetStream on 127.0.0.1; resolves once `/healthz` reports JetStream ready. */
export async function startNats(options: ServerOptions = {}): Promise<NatsServer> {
  const binary = ensureNats((l) => process.stderr.write(`${l}\n`));
  const ownData = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'infermesh-nats-'));
  mkdirSync(dataDir, { recursive: true });
  const port = options.port !== undefined && options.port > 0 ? options.port : await freePort();
  const logFile = join(dataDir, 'nats.log');
  const ownerPid = options.ownerPid === undefined ? process.pid : options.ownerPid;

  const launch = async (): Promise<Daemon> => {
    const monitor = await freePort();
    const d = spawnDaemon({
      command: binary,
      args: ['-n', 'infermesh', '-a', '127.0.0.1', '-p', String(port), '-m', String(monitor), '-js', '-sd', join(dataDir, 'jetstream')],
      logFile,
      ...(ownerPid === null ? {} : { ownerPid }),
    });
    const healthy = async (): Promise<boolean> => {
      if (!(await portOpen(port))) return false;
      try {
        const res = await fetch(`http://127.0.0.1:${monitor}/healthz?js-enabled-only=true`, { signal: AbortSignal.timeout(1000) });
        return res.ok;
      } catch {
        return false;
      }
    };
    try {
      await waitUntil(healthy, { timeoutMs: 20_000, intervalMs: 50, alive: () => groupAlive(d.pid), what: 'nats-server' });
    } catch (err) {
      await stopDaemon(d, 2000);
      throw new StartFailedError('nats', logFile, `${(err as Error).message}\n${tail(logFile)}`);
    }
    return d;
  };

  let current = await launch();
  return {
    name: 'nats',
    url: `nats://127.0.0.1:${port}`,
    port,
    dataDir,
    logFile,
    binary,
    get pid() {
      return current.pid;
    },
    async stop(opts) {
      await stopDaemon(current, 10_000);
      if (ownData && opts?.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
    },
    async start() {
      if (!groupAlive(current.pid)) current = await launch();
    },
    async restart() {
      await stopDaemon(current, 10_000);
      current = await launch();
    },
  };
}
