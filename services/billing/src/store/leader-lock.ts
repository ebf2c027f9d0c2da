import type pg from 'pg';

/** Leadership of one consumer name, held as a PostgreSQL session advisory lock. */
export interface LeaderLease {
  /** Resolves when the lock's connection is lost: leadership is gone, stop consuming. */
  readonly lost: Promise<void>;
  /** Releases the lock and its connection. Idempotent. */
  release(): Promise<void>;
}

/**
 * Waits until this process holds the advisory lock of `name` (polling `pg_try_advisory_lock`
 * every `pollMs`), so only one billing instance consumes at a time and the others stand by. The
 * lock lives as long as its dedicated connection: a killed leader's lock is freed by PostgreSQL as
 * soon as its socket closes, so a standby takes over within one poll. Correctness does not rest on
 * the lock (positions are conditional updates); it keeps a standby from fighting the leader.
 * Resolves undefined when `signal` aborts first.
 */
export async function acquireLeaderLock(pool: pg.Pool, name: string, signal: AbortSignal, pollMs: number, onWait?: () => void): Promise<LeaderLease | undefined> {
  let waited = false;
  while (!signal.aborted) {
    let client: pg.PoolClient | undefined;
    try {
      client = await pool.connect();
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS ok', [name]);
      if (rows[0]?.ok === true) return lease(client);
      client.release();
    } catch {
      client?.release(true);
    }
    if (!waited) onWait?.();
    waited = true;
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, pollMs);
      function done(): void {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
  return undefined;
}

function lease(client: pg.PoolClient): LeaderLease {
  let released = false;
  let markLost!: () => void;
  const lost = new Promise<void>((resolve) => (markLost = resolve));
  const onError = (): void => markLost();
  client.on('error', onError);
  client.on('end', onError);
  // A silent network partition would leave the lock looking held: probe the connection now and then.
  const probe = setInterval(() => {
    client.query('SELECT 1').catch(onError);
  }, 5000);
  probe.unref();
  return {
    lost,
    async release() {
      if (released) return;
      released = true;
      clearInterval(probe);
      client.off('end', onError);
      // Closing the session frees the lock even if the unlock cannot be sent; the close may still
      // emit 'error' on this client, which the listener above keeps from becoming an uncaught error.
      client.release(true);
    },
  };
}
