import pg from 'pg';
import { MeshError, Code } from '@infermesh/errors';
import type { SqlDb, SqlQueryable } from './sql.js';

/** Connection pool settings of the PostgreSQL ledger store. */
export interface PgDbOptions {
  /** `postgres://user:password@host:port/database`; never logged (it may hold a password). */
  url: string;
  /** Most pooled connections (one more is held by the leader lock while consuming). */
  maxConnections: number;
  /** Connect timeout per connection, ms. */
  connectTimeoutMs: number;
}

const asQueryable = (c: pg.Pool | pg.PoolClient): SqlQueryable => ({
  async query<T>(sql: string, params?: unknown[]) {
    const res = await c.query(sql, params);
    return { rows: res.rows as T[] };
  },
  exec: (sql: string) => c.query(sql),
});

/**
 * The `SqlDb` port over a node-postgres pool. `transaction` runs on one pooled connection
 * (BEGIN ... COMMIT, ROLLBACK when `fn` throws); a connection whose ROLLBACK failed is destroyed,
 * not returned to the pool. Column types are left as pg returns them: the ledger casts what it
 * reads to text, so bigint values never pass through a float.
 */
export class PgDb implements SqlDb {
  private readonly base: SqlQueryable;

  private constructor(readonly pool: pg.Pool) {
    this.base = asQueryable(pool);
  }

  /** Opens the pool and checks one connection; UNAVAILABLE (without the URL) when it fails. */
  static async connect(options: PgDbOptions): Promise<PgDb> {
    const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections, connectionTimeoutMillis: options.connectTimeoutMs });
    pool.on('error', () => {
      // An idle client lost its connection; the pool replaces it on the next checkout.
    });
    pool.on('connect', (client) => {
      // A lost connection also fails the query in flight, which is where it is handled; without
      // a listener the client's 'error' event would take the process down.
      client.on('error', () => {});
    });
    try {
      await pool.query('SELECT 1');
    } catch (err) {
      await pool.end().catch(() => {});
      throw new MeshError(Code.Unavailable, `cannot connect to the ledger database: ${(err as Error).message}`, { cause: err });
    }
    return new PgDb(pool);
  }

  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }> {
    return this.base.query<T>(sql, params);
  }

  exec(sql: string): Promise<unknown> {
    return this.base.exec(sql);
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const out = await fn(asQueryable(client));
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: unknown) => {
        broken = e as Error;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}
