import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunningService } from '@infermesh/rpc';
import { waitServing } from './health.js';

/** The repository root (this file is tools/cli/src/mesh or tools/cli/dist/mesh). */
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** A mesh service running as its own OS process (its built `main.js`). */
export interface ServiceProcess extends RunningService {
  readonly pid: number;
  /** False once the process has exited. */
  alive(): boolean;
  /** Sends a signal without waiting (fault tests: SIGKILL). */
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
}

export interface ServiceProcessOptions {
  /** Package folder under services/, e.g. "kv-directory". */
  service: string;
  /** gRPC address the service binds (health-checked before `spawnService` resolves). */
  address: string;
  env: Record<string, string>;
  /** Receives every chunk the process writes to stdout or stderr (its JSON log lines). */
  onLog: (chunk: Buffer) => void;
  readyTimeoutMs: number;
}

/**
 * Spawns `node services/<service>/dist/main.js` with `env` on top of this process's environment
 * and resolves once its gRPC health check answers SERVING. Rejects (after killing it) when the
 * process exits first or is not serving in time, with the tail of its log in the message.
 */
export async function spawnService(o: ServiceProcessOptions): Promise<ServiceProcess> {
  const entry = join(REPO_ROOT, 'services', o.service, 'dist', 'main.js');
  const child: ChildProcess = spawn(process.execPath, [entry], { cwd: REPO_ROOT, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const onData = (b: Buffer): void => {
    tail = (tail + b.toString()).slice(-4000);
    o.onLog(b);
  };
  // Services log JSON lines to stdout (pino's default) and crashes to stderr: both are its log.
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  let exitedWith: number | string | undefined;
  void exited.then((c) => (exitedWith = c));
  try {
    await waitServing(o.address, o.readyTimeoutMs, () => (exitedWith === undefined ? undefined : `${o.service} exited (${exitedWith}) before it was serving; log tail:\n${tail}`));
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    name: o.service,
    address: o.address,
    pid: child.pid!,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    kill: (signal) => void child.kill(signal),
    stop(graceMs = 10_000) {
      stopped ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(force);
      })();
      return stopped;
    },
  };
}
