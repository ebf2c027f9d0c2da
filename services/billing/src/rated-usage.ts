import { createHash } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { envelopeHash, GENESIS_HASH, SCHEMA_VERSION, type Envelope } from '@infermesh/event-log';
import { events } from '@infermesh/proto';
import type { LedgerLine } from './ledger-line.js';

/** `producer` of every `usage.rated` envelope: one chain for the whole ledger. */
export const RATED_PRODUCER = 'billing';

/** The head of the rated-usage chain: the last sequence and hash stored in the outbox. */
export interface ChainHead {
  sequence: bigint;
  hash: Uint8Array;
}

export const EMPTY_CHAIN: ChainHead = { sequence: 0n, hash: GENESIS_HASH };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += CROCKFORD[(acc >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function timePart(ms: bigint): string {
  let t = ms < 0n ? 0n : ms;
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[Number(t % 32n)]! + out;
    t /= 32n;
  }
  return out;
}

/**
 * The id of the `usage.rated` envelope of a usage event: a ULID with the source's time part (or
 * the time of use when the source id is not a ULID) and 80 bits of SHA-256("usage.rated:" + id).
 * Deterministic, so a replay or re-publication names the same event; distinct from the source id.
 */
export function ratedEventId(sourceEventId: string, occurredAtMicros: bigint): string {
  const digest = createHash('sha256').update(`usage.rated:${sourceEventId}`, 'utf8').digest();
  const time = ULID.test(sourceEventId) ? sourceEventId.slice(0, 10) : timePart(occurredAtMicros / 1000n);
  return time + base32(digest, 16);
}

const timestamp = (us: bigint): { seconds: bigint; nanos: number } => {
  const seconds = us >= 0n ? us / 1_000_000n : (us - 999_999n) / 1_000_000n;
  return { seconds, nanos: Number(us - seconds * 1_000_000n) * 1000 };
};

/**
 * The sealed `usage.rated` envelope of a ledger line, next in the chain after `prev`: a pure
 * function of (line, prev), so the same ledger order gives the same bytes. `time` is the line's
 * time of use; tenant and request ids are the source's; sequence and hash chain as in events.proto.
 */
export function ratedEnvelope(line: LedgerLine, prev: ChainHead): Envelope {
  const env = create(events.EnvelopeSchema, {
    id: ratedEventId(line.eventId, line.occurredAtMicros),
    type: 'usage.rated',
    schemaVersion: SCHEMA_VERSION,
    time: timestamp(line.occurredAtMicros),
    producer: RATED_PRODUCER,
    tenantId: line.tenantId,
    requestId: line.requestId,
    sequence: prev.sequence + 1n,
    prevHash: prev.hash.slice(),
    payload: {
      case: 'usageRated',
      value: {
        sourceEventId: line.eventId,
        model: line.model,
        usage: { promptTokens: line.promptTokens, cachedPromptTokens: line.cachedPromptTokens, completionTokens: line.completionTokens },
        amountMicros: line.amountMicros,
        currency: line.currency,
        priceBookVersion: line.priceBookVersion,
        occurredAt: timestamp(line.occurredAtMicros),
      },
    },
  });
  env.hash = envelopeHash(env);
  return env;
}

/** The outbox row of a rated envelope. */
export interface RatedRow {
  sequence: bigint;
  eventId: string;
  sourceEventId: string;
  tenantId: string;
  hash: Uint8Array;
  bytes: Uint8Array;
}

/** Rates `lines` in order after `head`: their outbox rows and the new head. */
export function rateLines(lines: readonly LedgerLine[], head: ChainHead): { rows: RatedRow[]; head: ChainHead } {
  const rows: RatedRow[] = [];
  let prev = head;
  for (const line of lines) {
    const env = ratedEnvelope(line, prev);
    rows.push({ sequence: env.sequence, eventId: env.id, sourceEventId: line.eventId, tenantId: line.tenantId, hash: env.hash, bytes: toBinary(events.EnvelopeSchema, env) });
    prev = { sequence: env.sequence, hash: env.hash };
  }
  return { rows, head: prev };
}
