import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MeshError, Code } from '@infermesh/errors';
import type { SqlDb } from './sql.js';

/** The package's migrations folder; the same relative path from src/ (tests) and dist/ (built). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Migrations in `dir`, named `NNNN_name.sql`, in version order. Gaps and duplicates are errors. */
export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const out: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const m = FILE.exec(file);
    if (m === null) continue;
    const version = Number(m[1]);
    if (version !== out.length + 1) throw new MeshError(Code.FailedPrecondition, `migration ${file}: expected version ${out.length + 1}`);
    out.push({ version, name: m[2]!, sql: await readFile(`${dir}/${file}`, 'utf8') });
  }
  return out;
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, each in its own transaction
 * together with its bookkeeping row, so a failure leaves the schema at the previous version.
 * A database at a version this code does not know is refused rather than used.
 * Returns the versions applied now.
 */
export async function migrate(db: SqlDb, migrations?: Migration[]): Promise<number[]> {
  const all = migrations ?? (await loadMigrations());
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
  const current = rows.at(-1)?.version ?? 0;
  if (current > all.length) {
    throw new MeshError(Code.FailedPrecondition, `ledger schema is at version ${current}, newer than this code (${all.length})`);
  }
  const applied: number[] = [];
  for (const m of all.slice(current)) {
    await db.transaction(async (tx) => {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
    });
    applied.push(m.version);
  }
  return applied;
}
