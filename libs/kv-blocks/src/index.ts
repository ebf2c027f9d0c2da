export { KV_HASH_DOMAIN, rootDigest, blockDigest, digestKey, hashBlocks, blockKeys, type BlockChain } from './block-hash.js';
