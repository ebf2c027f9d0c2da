import { fileURLToPath } from 'node:url';
import Postgrator from 'postgrator';
import { MeshError, Code } from '@infermesh/errors';
import type { SqlDb } from './sql.js';

/** The package's migrations folder; the same relative path from src/ (tests) and dist/ (built). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/**
 * Bookkeeping table of applied versions. It keeps the name the hand-written runner used, so a
 * ledger created before postgrator (rows `version, name, applied_at`) is picked up as is:
 * postgrator adds its `md5` and `run_at` columns and skips the checksum of rows without one.
 */
const SCHEMA_TABLE = 'schema_migrations';

/** Any value; all billing instances sharing a database serialise their migrations on it. */
const MIGRATION_LOCK = 'infermesh-billing-migrations';

/**
 * Brings the ledger schema to the newest version in `dir` (files `NNNN.do.name.sql`, postgrator's
 * pattern), on PostgreSQL and PGlite alike. All pending migrations and their bookkeeping rows run
 * in ONE transaction (PostgreSQL DDL is transactional) under an advisory lock, so concurrent
 * starts apply each version once and a failure leaves the schema where it was. A database at a
 * version this code does not have, or whose applied files were edited (checksum), is refused
 * with FAILED_PRECONDITION rather than used. Returns the versions applied now.
 */
export async function migrate(db: SqlDb, dir = MIGRATIONS_DIR): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [MIGRATION_LOCK]);
    const postgrator = new Postgrator({
      driver: 'pg',
      schemaTable: SCHEMA_TABLE,
      migrationPattern: `${dir.replace(/\/$/, '')}/*.do.*.sql`,
      validateChecksums: true,
      execQuery: (sql) => tx.query(sql),
      execSqlScript: async (sql) => {
        await tx.exec(sql);
      },
    });
    const newest = await postgrator.getMaxVersion();
    const current = await postgrator.getDatabaseVersion();
    if (current > newest) {
      throw new MeshError(Code.FailedPrecondition, `ledger schema is at version ${current}, newer than this code (${newest})`);
    }
    try {
      const applied = await postgrator.migrate('max');
      return applied.map((m) => m.version);
    } catch (err) {
      throw new MeshError(Code.FailedPrecondition, `ledger migration failed: ${(err as Error).message}`, { cause: err });
    }
  });
}
