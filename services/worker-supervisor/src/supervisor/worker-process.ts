import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { unavailable } from '@infermesh/errors';

/**
 * The compiled worker entry (dist/worker-main.js). Resolved next to this module when it runs
 * compiled; when it runs from source (Jest), the package's dist/ copy, which `npm test` builds
 * first.
 */
export function defaultWorkerEntry(): string {
  const compiled = fileURLToPath(new URL('../worker-main.js', import.meta.url));
  if (existsSync(compiled)) return compiled;
  return fileURLToPath(new URL('../../dist/worker-main.js', import.meta.url));
}

/** How a child ended. */
export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * One forked engine process. The supervisor owns it: it is killed on supervisor stop, and it
 * kills itself when the IPC channel to the supervisor closes.
 */
export class WorkerProcess {
  readonly exited: Promise<ExitInfo>;
  private exitInfo: ExitInfo | undefined;

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /**
   * Forks `entry` and waits for its `{type:'ready', port}` message. Rejects with UNAVAILABLE (after
   * killing the child) if it exits or stays silent for `readyTimeoutMs`.
   */
  static async spawn(entry: string, args: string[], env: NodeJS.ProcessEnv, readyTimeoutMs: number): Promise<{ proc: WorkerProcess; port: number }> {
    const child = fork(entry, args, { env, stdio: ['ignore', 2, 'inherit', 'ipc'] /* worker logs join the supervisor's on stderr; stdout stays for the launcher */, serialization: 'json' });
    const proc = new WorkerProcess(child);
    child.on('error', () => {
      // 'exit' follows a spawn failure or a failed kill; the exit path handles both.
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(unavailable(`worker did not report ready within ${readyTimeoutMs} ms`)), readyTimeoutMs);
        child.on('message', (msg: unknown) => {
          const m = msg as { type?: unknown; port?: unknown };
          if (m.type === 'ready' && typeof m.port === 'number') {
            clearTimeout(timer);
            resolve(m.port);
          }
        });
        void proc.exited.then((e) => {
          clearTimeout(timer);
          reject(unavailable(`worker exited before ready (code ${e.code}, signal ${e.signal})`));
        });
      });
      return { proc, port };
    } catch (err) {
      await proc.kill(0);
      throw err;
    }
  }

  /** SIGTERM, then SIGKILL if still alive after `graceMs`. Resolves when the process is gone. */
  async kill(graceMs: number): Promise<ExitInfo> {
    if (!this.alive) return this.exitInfo!;
    if (graceMs > 0) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      const info = await this.exited;
      clearTimeout(timer);
      return info;
    }
    this.child.kill('SIGKILL');
    return this.exited;
  }
}
