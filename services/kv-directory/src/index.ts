export { startKvDirectory, type KvDirectoryDeps } from './service.js';
export { defaultKvDirectoryOptions, validateKvDirectoryOptions, type KvDirectoryOptions } from './options.js';
export { type KvIndex, type KvMatch, type KvIndexStats, compareMatches } from './domain/kv-index.js';
export { BitsetKvIndex } from './domain/bitset-kv-index.js';
export { CompactKvIndex } from './domain/compact-kv-index.js';
export { EventApplier, type KvEvent, type ApplierStats, type ApplierOptions } from './domain/event-applier.js';
export { subscribeKvDirectory, toKvEvent } from './consumer.js';
