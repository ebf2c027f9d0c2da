import { createHash } from 'node:crypto';
import { clone, toBinary } from '@bufbuild/protobuf';
import { events } from '@infermesh/proto';
import type { Envelope } from './event-log.js';

/** Length of every link of the chain (SHA-256). */
export const HASH_BYTES = 32;

/** `prev_hash` of a producer's first envelope: 32 zero bytes. */
export const GENESIS_HASH: Uint8Array = new Uint8Array(HASH_BYTES);

/**
 * The hash the proto contract defines for an envelope:
 * SHA-256(prev_hash || envelope serialized with `hash` empty). The envelope's own `prev_hash`
 * field is part of the serialized bytes as well as the prefix. Does not modify `envelope`.
 */
export function envelopeHash(envelope: Envelope): Uint8Array {
  const unsealed = envelope.hash.length === 0 ? envelope : clone(events.EnvelopeSchema, envelope);
  if (unsealed !== envelope) unsealed.hash = new Uint8Array(0);
  const h = createHash('sha256');
  h.update(envelope.prevHash);
  h.update(toBinary(events.EnvelopeSchema, unsealed));
  return new Uint8Array(h.digest());
}

/** Sets `prevHash` and `hash` on an envelope whose other fields are final. */
export function seal(envelope: Envelope, prevHash: Uint8Array): Envelope {
  envelope.prevHash = prevHash.slice();
  envelope.hash = new Uint8Array(0);
  envelope.hash = envelopeHash(envelope);
  return envelope;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
