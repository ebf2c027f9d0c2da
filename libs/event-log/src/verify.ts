import type { LogRecord } from './event-log.js';
import { bytesEqual, envelopeHash, GENESIS_HASH, HASH_BYTES, toHex } from './hash-chain.js';

/** What verification found for one producer. */
export interface ProducerSummary {
  name: string;
  /** Envelopes of this producer in the records given. */
  count: number;
  lastSequence: bigint;
  /**
   * Hex hash of the producer's last envelope. Anyone can recompute a SHA-256 chain, so an
   * attacker who rewrites a whole tail is caught only by comparing this head with one recorded
   * elsewhere (an audit anchor); a dropped tail likewise needs the anchor's sequence.
   */
  head: string;
}

export interface VerifyResult {
  ok: boolean;
  producers: ProducerSummary[];
  /** One line per problem, naming offsets, ids and sequences only (never payload content). */
  problems: string[];
}

interface ChainState {
  summary: ProducerSummary;
  expected: bigint;
  prevHash: Uint8Array;
  seen: Set<bigint>;
}

/**
 * Walks records in log order and checks, per producer, the contract of events.proto: sequences
 * 1, 2, 3... in log order, each `prev_hash` equal to the previous envelope's hash, and each hash
 * equal to the recomputed one. Detects a dropped envelope (sequence gap), a reordered one
 * (sequence going back), a duplicated one (sequence or id seen before) and an edited one (hash
 * mismatch). After a problem it resynchronises, so one tampering yields one or two lines, not a
 * cascade. `records` must start at the log's beginning for sequence 1 to be expected.
 */
export function verifyLog(records: Iterable<LogRecord>): VerifyResult {
  const chains = new Map<string, ChainState>();
  const ids = new Map<string, bigint>();
  const problems: string[] = [];
  for (const { offset, envelope: env } of records) {
    const where = `offset ${offset} id ${env.id} producer ${env.producer} sequence ${env.sequence}`;
    const firstOffset = ids.get(env.id);
    if (firstOffset !== undefined) problems.push(`${where}: duplicate of the envelope at offset ${firstOffset}`);
    else ids.set(env.id, offset);

    let chain = chains.get(env.producer);
    if (chain === undefined) {
      chain = {
        summary: { name: env.producer, count: 0, lastSequence: 0n, head: toHex(GENESIS_HASH) },
        expected: 1n,
        prevHash: GENESIS_HASH,
        seen: new Set(),
      };
      chains.set(env.producer, chain);
    }
    chain.summary.count++;

    const computed = envelopeHash(env);
    if (env.hash.length !== HASH_BYTES || !bytesEqual(computed, env.hash)) {
      problems.push(`${where}: edited (hash does not match content)`);
    }
    if (env.sequence < chain.expected) {
      if (chain.seen.has(env.sequence)) {
        if (firstOffset === undefined) problems.push(`${where}: duplicated sequence`);
      } else {
        problems.push(`${where}: reordered (appears after sequence ${chain.expected - 1n})`);
      }
      chain.seen.add(env.sequence);
      continue;
    }
    if (env.sequence > chain.expected) {
      const missing = env.sequence - chain.expected;
      problems.push(`${where}: ${missing} envelope(s) dropped or moved (expected sequence ${chain.expected})`);
    } else if (!bytesEqual(env.prevHash, chain.prevHash)) {
      problems.push(`${where}: chain broken (prev_hash is not the hash of sequence ${chain.expected - 1n})`);
    }
    chain.seen.add(env.sequence);
    chain.expected = env.sequence + 1n;
    chain.prevHash = env.hash;
    chain.summary.lastSequence = env.sequence;
    chain.summary.head = toHex(env.hash);
  }
  const producers = [...chains.values()].map((c) => c.summary).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { ok: problems.length === 0, producers, problems };
}
