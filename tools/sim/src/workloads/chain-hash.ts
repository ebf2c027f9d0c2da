import { hash } from 'node:crypto';
import { BLOCK_SIZE } from '@infermesh/worker-supervisor';

/**
 * The kv-blocks block hash (tokenizer.v1 scheme: SHA-256 over the canonical CBOR of
 * [parent digest, [16 token ids], null]) for the simulator's own prompts, specialised to what
 * they are: typed token arrays, 16-token blocks, no extra keys. It produces exactly the digests
 * and keys of `blockDigestBinary` and `binaryDigestKey` (@infermesh/kv-blocks; checked by
 * chain-hash.unit.spec.ts over every CBOR integer width), in about half the time: the preimage is
 * written by one straight loop (no per-token range checks, the parent copied by char code instead
 * of a native `Buffer.write`), and a key is one BigInt instead of four. Hashing every unique
 * prompt block once is the simulator's largest own cost on workloads without sharing.
 */

/** CBOR heads of the preimage: array(3), bytes(32), then array(16) after the parent. */
const ARRAY_3 = 0x83;
const BYTES_1B = 0x58;
const ARRAY_16 = 0x80 | BLOCK_SIZE;
const NULL = 0xf6;
const PARENT_AT = 3;
const TOKENS_AT = PARENT_AT + 32 + 1;
if (BLOCK_SIZE >= 24) throw new Error('chain-hash assumes blocks of fewer than 24 tokens (a one-byte CBOR array head)');

/** One preimage at a time (hashed synchronously, never kept); 5 bytes per token at most. */
const scratch = Buffer.alloc(TOKENS_AT + 5 * BLOCK_SIZE + 1);
scratch[0] = ARRAY_3;
scratch[1] = BYTES_1B;
scratch[2] = 32;
scratch[TOKENS_AT - 1] = ARRAY_16;
/** `views[n]`: the first n bytes of `scratch`, made once per length. */
const views: Buffer[] = [];

/** Reads a key's two halves back as one uint64 (one BigInt allocation). */
const keyWord = new BigUint64Array(1);
const keyHalves = new Uint32Array(keyWord.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;

/**
 * Digest (kv-blocks binary string: 32 latin1 chars) of the block `tokens[start, start + 16)`
 * after `parent` (the previous block's digest, or the salt's root).
 */
export function simBlockDigest(parent: string, tokens: Uint32Array, start: number): string {
  const buf = scratch;
  for (let i = 0; i < 32; i++) buf[PARENT_AT + i] = parent.charCodeAt(i);
  let at = TOKENS_AT;
  for (let i = start, end = start + BLOCK_SIZE; i < end; i++) {
    const t = tokens[i]!;
    if (t < 24) {
      buf[at++] = t;
    } else if (t < 0x100) {
      buf[at++] = 24;
      buf[at++] = t;
    } else if (t < 0x10000) {
      buf[at++] = 25;
      buf[at++] = t >>> 8;
      buf[at++] = t & 0xff;
    } else {
      buf[at++] = 26;
      buf[at++] = t >>> 24;
      buf[at++] = (t >>> 16) & 0xff;
      buf[at++] = (t >>> 8) & 0xff;
      buf[at++] = t & 0xff;
    }
  }
  buf[at++] = NULL;
  return hash('sha256', (views[at] ??= buf.subarray(0, at)), 'binary');
}

/** The 64-bit key of a digest: its first 8 bytes, big-endian (kv-blocks `binaryDigestKey`). */
export function simDigestKey(d: string): bigint {
  keyHalves[HI] = ((d.charCodeAt(0) << 24) | (d.charCodeAt(1) << 16) | (d.charCodeAt(2) << 8) | d.charCodeAt(3)) >>> 0;
  keyHalves[LO] = ((d.charCodeAt(4) << 24) | (d.charCodeAt(5) << 16) | (d.charCodeAt(6) << 8) | d.charCodeAt(7)) >>> 0;
  return keyWord[0]!;
}
