import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { binaryDigestKey, blockDigestBinary, hashBlocks, rootDigestBinary } from '@infermesh/kv-blocks';
import { simBlockDigest, simDigestKey } from './chain-hash.js';
import { Rng } from '../rng.js';
import { EMPTY_CHAIN, extendChain, extendChainRandom, randomTokens, SIM_CACHE_SALT } from './types.js';

/** Token ids at every CBOR width boundary (1, 2, 3 and 5 bytes) and the extremes. */
const EDGES = [0, 1, 23, 24, 255, 256, 0xffff, 0x10000, 127_999, 0xffff_fffe, 0xffff_ffff];

describe('simulator block hash (the kv-blocks scheme, specialised)', () => {
  it('gives the digests and keys of kv-blocks for token ids of every CBOR width, chained', () => {
    const token = fc.oneof(fc.constantFrom(...EDGES), fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 300 }));
    fc.assert(
      fc.property(fc.array(token, { minLength: 16, maxLength: 80 }), fc.constantFrom('', 'tenant-salt'), (ids, salt) => {
        const tokens = Uint32Array.from(ids);
        let mine = rootDigestBinary(salt);
        let ref = rootDigestBinary(salt);
        for (let b = 0; (b + 1) * 16 <= tokens.length; b++) {
          mine = simBlockDigest(mine, tokens, b * 16);
          ref = blockDigestBinary(ref, ids, b * 16, 16);
          expect(mine).toBe(ref);
          expect(simDigestKey(mine)).toBe(binaryDigestKey(ref));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keys keep all 64 bits, high half first', () => {
    const d = String.fromCharCode(0xff, 0x00, 0x00, 0x01, 0x80, 0x00, 0x00, 0x02) + '\0'.repeat(24);
    expect(simDigestKey(d)).toBe(0xff00_0001_8000_0002n);
  });

  it('extendChainRandom draws the tokens randomTokens draws and chains like hashBlocks', () => {
    const a = extendChainRandom(EMPTY_CHAIN, new Rng(7), 1000);
    const b = extendChain(EMPTY_CHAIN, randomTokens(new Rng(7), 1000));
    expect(a.tokens).toEqual(b.tokens);
    expect(a.keys).toEqual(b.keys);
    expect(a.lastDigest).toBe(b.lastDigest);
    const longer = extendChainRandom(a, new Rng(8), 77);
    expect(longer.tokens.subarray(0, 1000)).toEqual(a.tokens);
    expect(longer.keys).toEqual(hashBlocks(longer.tokens, 16, SIM_CACHE_SALT).keys);
    expect(a.keys).toHaveLength(62);
  });
});
