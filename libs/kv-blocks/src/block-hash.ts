import { createHash } from 'node:crypto';

/**
 * The prompt block hash scheme shared by the tokenizer (prompt hashes), the engine (what it
 * caches) and the kv-directory (what it indexes). Specified in proto/infermesh/tokenizer/v1:
 *
 *   root = SHA-256("infermesh-kv-v1" || 0x00 || utf8(cache_salt))
 *   h(i) = SHA-256(h(i-1) || u32le(block_size) || u32le(t_0) .. u32le(t_{block_size-1}))
 *
 * Chaining makes a block's hash name its whole prefix, so equal hashes at position i mean equal
 * prompts up to the end of block i. Only full blocks are hashed. The 64-bit key used on the wire
 * and in the directory is the first 8 bytes of h(i), big-endian.
 */
export const KV_HASH_DOMAIN = 'infermesh-kv-v1';

/** The 32-byte root of a salt's hash chain. */
export function rootDigest(cacheSalt: string): Buffer {
  return createHash('sha256').update(KV_HASH_DOMAIN).update(Buffer.from([0])).update(cacheSalt, 'utf8').digest();
}

/** The next link of the chain: the digest of one full block after `parent`. */
export function blockDigest(parent: Uint8Array, tokens: ArrayLike<number>, start: number, blockSize: number): Buffer {
  const buf = Buffer.allocUnsafe(4 + 4 * blockSize);
  buf.writeUInt32LE(blockSize, 0);
  for (let i = 0; i < blockSize; i++) buf.writeUInt32LE(tokens[start + i]! >>> 0, 4 + 4 * i);
  return createHash('sha256').update(parent).update(buf).digest();
}

/** The directory key of a digest: its first 8 bytes as a big-endian unsigned 64-bit integer. */
export function digestKey(digest: Uint8Array): bigint {
  return Buffer.from(digest.buffer, digest.byteOffset, 8).readBigUInt64BE(0);
}

/** Result of hashing a token sequence: one key and one digest per full block. */
export interface BlockChain {
  keys: bigint[];
  /** Digest of every full block, so a caller can continue the chain (the engine does, for output). */
  digests: Buffer[];
}

/**
 * Hashes every full block of `tokens`. `parent` continues an existing chain; by default the chain
 * starts at the salt's root.
 */
export function hashBlocks(tokens: ArrayLike<number>, blockSize: number, cacheSalt: string, parent?: Uint8Array): BlockChain {
  if (!Number.isInteger(blockSize) || blockSize <= 0) throw new RangeError(`block size must be a positive integer, got ${blockSize}`);
  let prev: Uint8Array = parent ?? rootDigest(cacheSalt);
  const full = Math.floor(tokens.length / blockSize);
  const keys: bigint[] = new Array(full);
  const digests: Buffer[] = new Array(full);
  for (let b = 0; b < full; b++) {
    const d = blockDigest(prev, tokens, b * blockSize, blockSize);
    digests[b] = d;
    keys[b] = digestKey(d);
    prev = d;
  }
  return { keys, digests };
}

/** Just the 64-bit keys of every full block. */
export function blockKeys(tokens: ArrayLike<number>, blockSize: number, cacheSalt: string): bigint[] {
  return hashBlocks(tokens, blockSize, cacheSalt).keys;
}
