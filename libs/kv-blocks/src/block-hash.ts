import { hash } from 'node:crypto';
import { cborBlock, cborRoot, cborTextArray } from './cbor.js';

/**
 * The prompt block hash scheme shared by the tokenizer (prompt hashes), the engine (what it
 * caches) and the kv-directory (what it indexes). Specified in proto/infermesh/tokenizer/v1 and
 * reproduced by the Python reference in libs/kv-blocks/reference (standard library only):
 *
 *   root  = SHA-256(CBOR(["infermesh-kv-v2", cache_salt]))
 *   h(i)  = SHA-256(CBOR([h(i-1), [t_0, .., t_{B-1}], extra]))      h(-1) = root
 *   key(i) = first 8 bytes of h(i), big-endian uint64
 *
 * CBOR (RFC 8949) with shortest-form heads: h(i-1) is a 32-byte byte string, token ids unsigned
 * integers, `extra` null or an array of text strings (LoRA adapter name first, then any other
 * keys that change what a block's KV holds). This is vLLM's `sha256_cbor` block hash, a tuple
 * (parent, token ids, extra keys) hashed as canonical CBOR, with one difference: the cache salt
 * seeds the root instead of riding in block 0's extra keys, so every block of a chain, output
 * blocks included, is hashed the same way. Chaining makes a block's hash name its whole prefix.
 */
export const KV_HASH_DOMAIN = 'infermesh-kv-v2';

/** The 32-byte root of a salt's hash chain (the parent of block 0). */
export function rootDigest(cacheSalt: string): Buffer {
  return Buffer.from(rootDigestBinary(cacheSalt), 'latin1');
}

/**
 * The next link of the chain: the digest of the full block `tokens[start, start + blockSize)`
 * after `parent`. Token ids must be integers in [0, 2^32). `extraKeys` empty or absent encodes as
 * null, so both mean "no extra keys".
 */
export function blockDigest(parent: Uint8Array, tokens: ArrayLike<number>, start: number, blockSize: number, extraKeys?: readonly string[]): Buffer {
  return Buffer.from(hash('sha256', cborBlock(parent, tokens, start, blockSize, encodeExtra(extraKeys)), 'binary'), 'latin1');
}

/** The directory key of a digest: its first 8 bytes as a big-endian unsigned 64-bit integer. */
export function digestKey(digest: Uint8Array): bigint {
  if (digest.length < 8) throw new RangeError(`a digest has at least 8 bytes, got ${digest.length}`);
  const hi = ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0;
  const lo = ((digest[4]! << 24) | (digest[5]! << 16) | (digest[6]! << 8) | digest[7]!) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * The same digests as binary strings (32 latin1 chars, one per byte). Several times cheaper than
 * Buffers, which each cost a fresh ArrayBuffer: the engine and the simulator chain these.
 */
export function rootDigestBinary(cacheSalt: string): string {
  let root = binaryRoots.get(cacheSalt);
  if (root === undefined) {
    root = hash('sha256', cborRoot(KV_HASH_DOMAIN, cacheSalt), 'binary');
    if (binaryRoots.size >= MAX_CACHED_ROOTS) binaryRoots.clear();
    binaryRoots.set(cacheSalt, root);
  }
  return root;
}

/** `blockDigest` as a binary string; `parent` a binary string or bytes (32 of them). */
export function blockDigestBinary(parent: string | Uint8Array, tokens: ArrayLike<number>, start: number, blockSize: number, extraKeys?: readonly string[]): string {
  return hash('sha256', cborBlock(parent, tokens, start, blockSize, encodeExtra(extraKeys)), 'binary');
}

/** `digestKey` of a binary-string digest (one BigInt made, through a 64-bit scratch word). */
export function binaryDigestKey(digest: string): bigint {
  if (digest.length < 8) throw new RangeError(`a digest has at least 8 bytes, got ${digest.length}`);
  keyHalves[HI] = ((digest.charCodeAt(0) << 24) | (digest.charCodeAt(1) << 16) | (digest.charCodeAt(2) << 8) | digest.charCodeAt(3)) >>> 0;
  keyHalves[LO] = ((digest.charCodeAt(4) << 24) | (digest.charCodeAt(5) << 16) | (digest.charCodeAt(6) << 8) | digest.charCodeAt(7)) >>> 0;
  return keyWord[0]!;
}

const keyWord = new BigUint64Array(1);
const keyHalves = new Uint32Array(keyWord.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

/** Roots of recently used salts are kept (few per process: one per tenant that salts its cache). */
const binaryRoots = new Map<string, string>();
const MAX_CACHED_ROOTS = 1024;

/** Result of hashing a token sequence: one key and one digest per full block. */
export interface BlockChain {
  keys: bigint[];
  /** Digest of every full block, so a caller can continue the chain (the engine does, for output). */
  digests: Buffer[];
}

/**
 * Hashes every full block of `tokens` (a trailing partial block is not hashed). `parent`
 * continues an existing chain; by default the chain starts at the salt's root. `extraKeys` apply
 * to every block (the LoRA adapter serving the request, first). Throws RangeError for a block
 * size that is not a positive integer.
 */
export function hashBlocks(tokens: ArrayLike<number>, blockSize: number, cacheSalt: string, parent?: Uint8Array, extraKeys?: readonly string[]): BlockChain {
  if (!Number.isInteger(blockSize) || blockSize <= 0) throw new RangeError(`block size must be a positive integer, got ${blockSize}`);
  const extra = encodeExtra(extraKeys);
  let prev: Uint8Array | string = parent ?? rootDigestBinary(cacheSalt);
  const full = Math.floor(tokens.length / blockSize);
  const keys: bigint[] = new Array(full);
  const digests: Buffer[] = new Array(full);
  for (let b = 0; b < full; b++) {
    const d = hash('sha256', cborBlock(prev, tokens, b * blockSize, blockSize, extra), 'binary');
    digests[b] = Buffer.from(d, 'latin1');
    keys[b] = binaryDigestKey(d);
    prev = d;
  }
  return { keys, digests };
}

/** Just the 64-bit keys of every full block. */
export function blockKeys(tokens: ArrayLike<number>, blockSize: number, cacheSalt: string, extraKeys?: readonly string[]): bigint[] {
  return hashBlocks(tokens, blockSize, cacheSalt, undefined, extraKeys).keys;
}

function encodeExtra(extraKeys: readonly string[] | undefined): Buffer | undefined {
  return extraKeys === undefined || extraKeys.length === 0 ? undefined : cborTextArray(extraKeys);
}
