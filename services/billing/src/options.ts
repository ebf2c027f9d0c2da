import { invalidArgument } from '@infermesh/errors';
import { defaultPriceBook, type PriceBookEntry } from './price-book.js';

/** Configuration of the billing service. Read from the environment only in main.ts. */
export interface BillingOptions {
  host: string;
  /** gRPC port; 0 picks a free one. */
  port: number;
  /** PGlite data directory; undefined keeps the ledger in memory (lost on exit: tests, demos). */
  dataDir: string | undefined;
  /** Position row of the ledger consumer; one running instance per name. */
  consumerName: string;
  /** Log records per ledger transaction (1..5000). */
  batchSize: number;
  /** Longest idle wait for new events before re-checking, ms. */
  idleWaitMs: number;
  /** Pause before retrying a failed batch, ms. */
  retryDelayMs: number;
  /** Versioned prices; the default is documented at defaultPriceBook(). */
  priceBook: PriceBookEntry[];
  /** Bearer token that may call GetLedgerDigest; undefined disables the admin RPC. */
  adminToken: string | undefined;
}

export function defaultBillingOptions(): BillingOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    dataDir: undefined,
    consumerName: 'billing-ledger',
    batchSize: 500,
    idleWaitMs: 1000,
    retryDelayMs: 1000,
    priceBook: defaultPriceBook(),
    adminToken: undefined,
  };
}

/** Rejects options that cannot work, naming the option (INVALID_ARGUMENT). */
export function validateBillingOptions(o: BillingOptions): void {
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw invalidArgument('port must be in [0, 65535]', 'port');
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1 || o.batchSize > 5000) throw invalidArgument('batchSize must be in [1, 5000]', 'batchSize');
  if (o.consumerName === '') throw invalidArgument('consumerName must not be empty', 'consumerName');
  if (o.priceBook.length === 0) throw invalidArgument('priceBook must have at least one entry', 'priceBook');
  if (o.idleWaitMs < 1 || o.retryDelayMs < 0) throw invalidArgument('idleWaitMs must be >= 1 and retryDelayMs >= 0', 'idleWaitMs');
}
