import { PGlite } from '@electric-sql/pglite';
import { MeshError, Code } from '@infermesh/errors';
import type { PriceBookEntry } from '../price-book.js';
import { migrate } from './migrate.js';
import { PgDb } from './pg-db.js';
import { storePriceBook } from './price-book-store.js';
import type { SqlDb } from './sql.js';

/** Where the ledger lives: PostgreSQL when `databaseUrl` is set, else PGlite (`dataDir`, or memory). */
export interface LedgerLocation {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
}

/**
 * Opens the ledger store, migrated to the current schema and holding `priceBook`: a PostgreSQL
 * pool (`PgDb`) for a `databaseUrl`, else embedded PGlite (PostgreSQL compiled to WebAssembly,
 * in-process), file-backed in `dataDir` or in memory. The caller owns the handle and closes it.
 */
export async function openLedger(where: LedgerLocation, priceBook: readonly PriceBookEntry[]): Promise<SqlDb> {
  const db = where.databaseUrl !== undefined ? await PgDb.connect({ url: where.databaseUrl, maxConnections: 8, connectTimeoutMs: 5000 }) : await openPglite(where.dataDir);
  try {
    await migrate(db);
    await storePriceBook(db, priceBook);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}

/** The embedded store (kept for callers that only ever use PGlite). */
export function openLedgerStore(dataDir: string | undefined, priceBook: readonly PriceBookEntry[]): Promise<SqlDb> {
  return openLedger({ dataDir }, priceBook);
}

async function openPglite(dataDir: string | undefined): Promise<PGlite> {
  try {
    return dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  } catch (err) {
    throw new MeshError(Code.Unavailable, `cannot open the ledger store${dataDir === undefined ? '' : ` in ${dataDir}`}`, { cause: err });
  }
}
