/**
 * The slice of a SQL client the ledger needs. PGlite satisfies it today; a node-postgres pool
 * adapter can satisfy it later, so no ledger code depends on the embedded store.
 */
export interface SqlQueryable {
  /** Runs one parameterised statement ($1, $2...). */
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Runs a script of statements without parameters (migrations). */
  exec(sql: string): Promise<unknown>;
}

export interface SqlDb extends SqlQueryable {
  /** Runs `fn` in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
