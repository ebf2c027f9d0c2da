import { invalidArgument } from '@infermesh/errors';

/** Configuration of the kv-directory service. Environment variables are read only in main.ts. */
export interface KvDirectoryOptions {
  /** Interface the gRPC server binds (default 127.0.0.1). */
  host: string;
  /** gRPC port; 0 picks a free one (default 50054). */
  port: number;
  /** Longest prompt accepted by Match, in blocks (default 65536: 1M tokens at block size 16). */
  maxMatchBlocks: number;
  /** How long stop() waits for in-flight calls before forcing them, ms (default 2000). */
  shutdownGraceMs: number;
  /**
   * A worker with no KV event or load report for this long is forgotten, ms (default 30000:
   * thirty missed load reports at the engine's default 1 s period); 0 turns it off.
   */
  workerSilenceTimeoutMs: number;
}

export function defaultKvDirectoryOptions(): KvDirectoryOptions {
  return { host: '127.0.0.1', port: 50054, maxMatchBlocks: 65_536, shutdownGraceMs: 2000, workerSilenceTimeoutMs: 30_000 };
}

/** Throws INVALID_ARGUMENT naming the first bad option. */
export function validateKvDirectoryOptions(o: KvDirectoryOptions): KvDirectoryOptions {
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535) throw invalidArgument(`port must be 0..65535, got ${o.port}`, 'port');
  if (!Number.isInteger(o.maxMatchBlocks) || o.maxMatchBlocks < 1) throw invalidArgument('maxMatchBlocks must be a positive integer', 'maxMatchBlocks');
  if (!(o.shutdownGraceMs >= 0)) throw invalidArgument('shutdownGraceMs must be >= 0', 'shutdownGraceMs');
  if (!(o.workerSilenceTimeoutMs >= 0)) throw invalidArgument('workerSilenceTimeoutMs must be >= 0', 'workerSilenceTimeoutMs');
  return o;
}
