import { MeshError, Code } from '@infermesh/errors';
import type { PriceBookEntry } from '../price-book.js';
import type { SqlDb } from './sql.js';

interface Row {
  model: string;
  version: string;
  effective_ms: string;
  currency: string;
  input: string;
  cached: string;
  output: string;
}

/**
 * Records the configured price book in `price_book`, so the ledger states which prices it used.
 * A (model, version) already stored with different terms is refused (FAILED_PRECONDITION):
 * rewriting a version would make old lines disagree with a replay; add a new version instead.
 */
export async function storePriceBook(db: SqlDb, entries: readonly PriceBookEntry[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const e of entries) {
      await tx.query(
        `INSERT INTO price_book (model, version, effective_from, currency, input_micros_per_mtok, cached_input_micros_per_mtok, output_micros_per_mtok)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (model, version) DO NOTHING`,
        [e.model, e.version, e.effectiveFrom.toISOString(), e.currency, e.inputMicrosPerMtok.toString(), e.cachedInputMicrosPerMtok.toString(), e.outputMicrosPerMtok.toString()],
      );
      const { rows } = await tx.query<Row>(
        `SELECT model, version, (extract(epoch from effective_from) * 1000)::bigint::text AS effective_ms, currency,
                input_micros_per_mtok::text AS input, cached_input_micros_per_mtok::text AS cached, output_micros_per_mtok::text AS output
         FROM price_book WHERE model = $1 AND version = $2`,
        [e.model, e.version],
      );
      const r = rows[0];
      const same = r !== undefined && r.effective_ms === String(e.effectiveFrom.getTime()) && r.currency === e.currency &&
        r.input === e.inputMicrosPerMtok.toString() && r.cached === e.cachedInputMicrosPerMtok.toString() && r.output === e.outputMicrosPerMtok.toString();
      if (!same) {
        throw new MeshError(Code.FailedPrecondition, `price book ${e.model}@${e.version} differs from the stored one; publish a new version instead`);
      }
    }
  });
}
