import { createServer, type RunningService } from '@infermesh/rpc';
import { tokenizer } from '@infermesh/proto';
import type { Logger } from '@infermesh/telemetry';
import { defaultCatalogue, type Catalogue } from './catalogue.js';
import { tokenizerHandlers } from './grpc/tokenizer-handlers.js';
import { DEFAULT_PIECE_CACHE, TokenizerRegistry, type HfEncoder } from './registry.js';
import { TokenizerService } from './tokenizer-service.js';

/** Tokenizer service configuration; entry points fill it from the environment. */
export interface TokenizerOptions {
  host: string;
  /** gRPC port (default 50052; 0 picks a free one). */
  port: number;
  /** The served models. */
  catalogue: Catalogue;
  /**
   * Load every tokenizer before the server starts listening (default true). Loading a 9-11 MB
   * tokenizer.json takes a fraction of a second per model; with warmup off the first request
   * per model pays it.
   */
  warmup: boolean;
  /** Default drain time of stop(), ms. */
  shutdownGraceMs: number;
  /**
   * Encoder of Hugging Face tokenizer.json models: 'js' (default; pure JavaScript, 4-8x faster
   * here, same ids) or 'native' (the `tokenizers` binding, off the event loop on libuv threads).
   */
  hfEncoder: HfEncoder;
  /**
   * Merged pieces each pure-JS encoder caches per generation (default 50,000, at most two
   * generations; 0 disables the caches: every request then costs what never-seen text costs).
   */
  pieceCacheSize: number;
}

export function defaultTokenizerOptions(): TokenizerOptions {
  return { host: '127.0.0.1', port: 50052, catalogue: defaultCatalogue(), warmup: true, shutdownGraceMs: 5000, hfEncoder: 'js', pieceCacheSize: DEFAULT_PIECE_CACHE };
}

export interface TokenizerDeps {
  logger: Logger;
}

/**
 * Starts the tokenizer's gRPC server. Rejects (and listens on nothing) when the catalogue is
 * invalid, a tokenizer fails to load during warmup, or the port cannot be bound.
 */
export async function startTokenizer(options: TokenizerOptions, deps: TokenizerDeps): Promise<RunningService> {
  const log = deps.logger;
  const registry = new TokenizerRegistry(options.catalogue, { hfEncoder: options.hfEncoder, pieceCacheSize: options.pieceCacheSize });
  if (options.warmup) {
    for (const { model, loadMs } of await registry.warmup()) log.info({ model, load_ms: Math.round(loadMs) }, 'tokenizer loaded');
  }
  const server = createServer({ name: 'tokenizer', host: options.host, port: options.port, logger: log, shutdownGraceMs: options.shutdownGraceMs });
  server.add(tokenizer.Tokenizer, tokenizerHandlers(new TokenizerService(registry)));
  const { address } = await server.start();
  log.info({ address, models: registry.list().map((m) => m.id) }, 'tokenizer listening');
  return {
    name: 'tokenizer',
    address,
    stop: (graceMs?: number) => server.shutdown(graceMs ?? options.shutdownGraceMs),
  };
}
