import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface DaemonSpec {
  command: string;
  args: readonly string[];
  /** stdout and stderr are appended here. */
  logFile: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /**
   * When set, a watchdog kills the daemon's process group once this pid is gone, so a test
   * runner killed with SIGKILL leaves no orphan broker behind. Unset for CLI-managed servers,
   * which must outlive the CLI.
   */
  ownerPid?: number;
}

/** A server process running as the leader of its own process group. */
export interface Daemon {
  readonly pid: number;
  /** Pid of the watchdog (0 when there is none). */
  readonly watchdogPid: number;
}

/** Starts `spec` detached in a new process group. Resolves once it has been spawned. */
export function spawnDaemon(spec: DaemonSpec): Daemon {
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: spec.env ?? process.env,
      ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
      ...(spec.uid === undefined ? {} : { uid: spec.uid }),
      ...(spec.gid === undefined ? {} : { gid: spec.gid }),
    });
    if (child.pid === undefined) throw new Error(`could not spawn ${spec.command}`);
    child.unref();
    const watchdogPid = spec.ownerPid === undefined ? 0 : spawnWatchdog(spec.ownerPid, child.pid);
    return { pid: child.pid, watchdogPid };
  } finally {
    closeSync(fd);
  }
}

function spawnWatchdog(ownerPid: number, groupPid: number): number {
  const script =
    `while kill -0 ${ownerPid} 2>/dev/null && kill -0 -${groupPid} 2>/dev/null; do sleep 1; done; ` +
    `kill -TERM -${groupPid} 2>/dev/null; sleep 5; kill -KILL -${groupPid} 2>/dev/null; exit 0`;
  const w = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  w.unref();
  return w.pid ?? 0;
}

/** True while any process of the group led by `pid` exists. */
export function groupAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(-pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Stops the process group led by `pid`: `signal` first, SIGKILL after `graceMs`. Resolves once
 * no process of the group is left. Safe to call for a group that is already gone.
 */
export async function stopGroup(pid: number, graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!groupAlive(pid)) return;
  signalGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(50);
  if (!groupAlive(pid)) return;
  signalGroup(pid, 'SIGKILL');
  while (groupAlive(pid)) await sleep(20);
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Polls `ready` every `intervalMs` until it returns true; throws with `describe()` on timeout or early exit. */
export async function waitUntil(
  ready: () => Promise<boolean> | boolean,
  opts: { timeoutMs: number; intervalMs?: number; alive?: () => boolean; what: string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (opts.alive !== undefined && !opts.alive()) throw new Error(`${opts.what}: the process exited`);
    if (Date.now() > deadline) throw new Error(`${opts.what}: not ready after ${opts.timeoutMs} ms`);
    await sleep(opts.intervalMs ?? 100);
  }
}

/** The last `lines` lines of a log file ('' when unreadable), for error messages. */
export function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Stops a daemon's process group (see `stopGroup`), then its watchdog. */
export async function stopDaemon(d: Daemon, graceMs: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await stopGroup(d.pid, graceMs, signal);
  if (d.watchdogPid > 0) await stopGroup(d.watchdogPid, 0, 'SIGKILL');
}
