import { KafkaTopics, readTopics, type Envelope } from '@infermesh/event-log';
import { MeshError, Code } from '@infermesh/errors';
import type { Logger } from '@infermesh/telemetry';
import { chargeEnvelopes } from './charge.js';
import { ledgerDigest, type LedgerDigest } from './digest.js';
import { PriceBook, defaultPriceBook, type PriceBookEntry } from './price-book.js';
import { openLedger } from './store/open-ledger.js';
import type { SqlDb } from './store/sql.js';

export interface KafkaReplayOptions {
  /** Must be the price book the live ledger used, or amounts will (rightly) differ. */
  priceBook: PriceBookEntry[];
  topic: string;
  /** Records per ledger transaction, per partition. */
  batchSize: number;
  /** Replay into this (empty) PostgreSQL database instead of a fresh in-memory PGlite: benchmarks. */
  databaseUrl?: string;
  logger?: Logger;
}

const NAME = 'replay';

/**
 * Rebuilds the ledger from the usage topic, from the beginning up to the high-water marks taken
 * at the start (see `readTopics`), into an EMPTY store with the live commit code, and digests it.
 * Equal to the live `GetLedgerDigest` (lines, total, sha256) once the live ledger has caught up
 * with the same records, exactly when the live ledger is the pure projection of the topic.
 * Undecodable records are skipped, as the live consumer does. FAILED_PRECONDITION if the target
 * database already holds lines. Reads the topic only.
 */
export async function replayLedgerFromKafka(brokers: string[], options: Partial<KafkaReplayOptions> = {}): Promise<LedgerDigest> {
  const opts = { priceBook: defaultPriceBook(), topic: KafkaTopics.usage, batchSize: 1000, ...options };
  const prices = new PriceBook(opts.priceBook);
  const db = await openLedger({ databaseUrl: opts.databaseUrl }, opts.priceBook);
  try {
    const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM ledger_lines');
    if (rows[0]?.n !== '0') throw new MeshError(Code.FailedPrecondition, 'replay target must be an empty ledger');
    const buffers = new Map<number, { from: bigint; envelopes: Envelope[]; to: bigint }>();
    const flush = async (partition: number): Promise<void> => {
      const b = buffers.get(partition);
      if (b === undefined || b.to === b.from) return;
      await chargeEnvelopes(db, prices, b.envelopes, [{ key: `${NAME}/${opts.topic}/${partition}`, from: b.from, to: b.to }]);
      buffers.set(partition, { from: b.to, to: b.to, envelopes: [] });
    };
    for await (const r of readTopics(brokers, [opts.topic], { clientId: 'infermesh-billing-replay', undecodable: 'skip' })) {
      let b = buffers.get(r.partition);
      if (b === undefined) buffers.set(r.partition, (b = { from: 0n, to: 0n, envelopes: [] }));
      b.envelopes.push(r.envelope);
      b.to = r.offset + 1n;
      if (b.envelopes.length >= opts.batchSize) await flush(r.partition);
    }
    for (const p of buffers.keys()) await flush(p);
    opts.logger?.info({ partitions: buffers.size }, 'ledger replayed from Kafka');
    return await ledgerDigest(db, NAME);
  } finally {
    await closeDb(db);
  }
}

async function closeDb(db: SqlDb): Promise<void> {
  await db.close();
}
