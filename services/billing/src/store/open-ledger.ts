import { PGlite } from '@electric-sql/pglite';
import { MeshError, Code } from '@infermesh/errors';
import type { PriceBookEntry } from '../price-book.js';
import { migrate } from './migrate.js';
import { storePriceBook } from './price-book-store.js';
import type { SqlDb } from './sql.js';

/**
 * Opens the embedded ledger store (PGlite: PostgreSQL compiled to WebAssembly, in-process),
 * file-backed in `dataDir` or in memory when it is undefined, migrated to the current schema and
 * holding `priceBook`. The caller owns the returned handle and closes it.
 */
export async function openLedgerStore(dataDir: string | undefined, priceBook: readonly PriceBookEntry[]): Promise<SqlDb> {
  let db: PGlite;
  try {
    db = dataDir === undefined ? await PGlite.create() : await PGlite.create(dataDir);
  } catch (err) {
    throw new MeshError(Code.Unavailable, `cannot open the ledger store${dataDir === undefined ? '' : ` in ${dataDir}`}`, { cause: err });
  }
  try {
    await migrate(db);
    await storePriceBook(db, priceBook);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}
