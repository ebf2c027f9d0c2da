export {
  KV_HASH_DOMAIN,
  rootDigest,
  blockDigest,
  digestKey,
  hashBlocks,
  blockKeys,
  rootDigestBinary,
  blockDigestBinary,
  binaryDigestKey,
  type BlockChain,
} from './block-hash.js';
