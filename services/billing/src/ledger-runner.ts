import type { Logger } from '@infermesh/telemetry';
import type pg from 'pg';
import { sleep } from './sleep.js';
import { acquireLeaderLock, type LeaderLease } from './store/leader-lock.js';

/** Something that runs while this instance leads: the usage consumer, the rated-usage relay. */
export interface LedgerTask {
  /** Prepares (loads positions) and starts in the background. */
  start(): Promise<void>;
  stop(): Promise<void>;
  caughtUp(): Promise<boolean>;
}

/**
 * Runs the ledger tasks while this instance holds leadership. With PostgreSQL, leadership is the
 * advisory lock of the consumer name (a second instance stands by until the leader dies or stops);
 * with the embedded store the process is alone by construction. Tasks are built afresh on every
 * activation, so after a lost lock they resume from the stored positions.
 */
export class LedgerRunner {
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private active: LedgerTask[] = [];

  constructor(
    private readonly makeTasks: () => LedgerTask[],
    private readonly leader: { pool: pg.Pool; name: string; pollMs: number } | undefined,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** True when this instance leads and every task has caught up with its source. */
  async caughtUp(): Promise<boolean> {
    const tasks = this.active;
    if (tasks.length === 0) return false;
    for (const t of tasks) if (!(await t.caughtUp())) return false;
    return true;
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      let lease: LeaderLease | undefined;
      if (this.leader !== undefined) {
        const { pool, name, pollMs } = this.leader;
        lease = await acquireLeaderLock(pool, `infermesh-billing/${name}`, signal, pollMs, () =>
          this.logger.info('another billing instance holds the ledger lock; standing by'));
        if (lease === undefined) return;
        this.logger.info('holding the ledger lock; consuming');
      }
      const tasks = this.makeTasks();
      try {
        for (const t of tasks) await t.start();
        this.active = tasks;
        await Promise.race([lease?.lost ?? new Promise<never>(() => {}), new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
        if (!signal.aborted) this.logger.error('lost the ledger lock (database connection gone); stopping until it is held again');
      } catch (err) {
        this.logger.error({ err }, 'ledger tasks failed to start; retrying');
        await sleep(1000, signal);
      } finally {
        this.active = [];
        for (const t of tasks.reverse()) await t.stop().catch((err: unknown) => this.logger.error({ err }, 'ledger task failed to stop'));
        await lease?.release();
      }
    }
  }
}
