import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { binaryDigestKey, blockDigest, blockDigestBinary, blockKeys, digestKey, hashBlocks, rootDigest, rootDigestBinary } from './index.js';

const PKG = new URL('../', import.meta.url);
const REFERENCE = new URL('reference/kv_block_hash.py', PKG);

/** Test vectors of scheme infermesh-kv-v2: any change to these is a breaking change of the scheme. */
const VECTORS: { tokens: number[]; blockSize: number; salt: string; extra?: string[]; keys: bigint[] }[] = [
  { tokens: Array.from({ length: 32 }, (_, i) => i), blockSize: 16, salt: '', keys: [12941462279344246530n, 10834004269303451986n] },
  {
    tokens: [23, 24, 255, 256, 65535, 65536, 128000, 4294967295, 0, 1, 2, 3, 4, 5, 6, 7],
    blockSize: 8,
    salt: 'tenant-a',
    keys: [13927031930821358492n, 263839817256731190n],
  },
  {
    tokens: Array.from({ length: 64 }, (_, i) => (i * 7919) % 128256),
    blockSize: 32,
    salt: 'tenant-a',
    extra: ['sql-lora'],
    keys: [15198367410929531308n, 9321756452444381311n],
  },
  {
    tokens: Array.from({ length: 48 }, (_, i) => 100000 + i),
    blockSize: 16,
    salt: 'ünïcode-salt-longer-than-23-bytes',
    extra: ['adapter-x', 'mm:3f2a'],
    keys: [7118361860698629080n, 11393494109017701758n, 705445702560334204n],
  },
];

describe('block hashes (scheme infermesh-kv-v2)', () => {
  const tokens = Array.from({ length: 40 }, (_, i) => (i * 7919) % 128000);

  it('reproduces the published test vectors', () => {
    for (const v of VECTORS) expect(blockKeys(v.tokens, v.blockSize, v.salt, v.extra)).toEqual(v.keys);
  });

  it('agrees with the Python reference (standard library only) on every vector', () => {
    if (process.env['INFERMESH_SKIP_PYTHON'] === '1') return;
    const run = spawnSync('python3', [REFERENCE.pathname], { input: JSON.stringify(VECTORS.map(({ keys: _k, ...c }) => c)), encoding: 'utf8', timeout: 20_000 });
    if (run.error !== undefined) throw new Error(`python3 is needed for this test (set INFERMESH_SKIP_PYTHON=1 to skip): ${run.error.message}`);
    expect(run.status).toBe(0);
    const fromPython = (JSON.parse(run.stdout) as string[][]).map((ks) => ks.map(BigInt));
    expect(fromPython).toEqual(VECTORS.map((v) => v.keys));
  });

  it('keeps the README snippet identical to the reference the test runs', () => {
    const readme = readFileSync(new URL('README.md', PKG), 'utf8');
    const code = readFileSync(REFERENCE, 'utf8');
    const body = code.slice(code.indexOf('import hashlib'), code.indexOf("if __name__ == '__main__'")).trim();
    expect(readme).toContain(body);
  });

  it('matches the scheme written out byte by byte', () => {
    const root = createHash('sha256')
      .update(Buffer.concat([Buffer.from([0x82, 0x6f]), Buffer.from('infermesh-kv-v2'), Buffer.from([0x64]), Buffer.from('salt')]))
      .digest();
    expect(rootDigest('salt').equals(root)).toBe(true);
    const block = [0x83, 0x58, 0x20, ...root, 0x84, 0x00, 0x18, 0x18, 0x19, 0x01, 0x00, 0x1a, 0x00, 0x01, 0x00, 0x00, 0x81, 0x63, ...Buffer.from('abc')];
    const h0 = createHash('sha256').update(Buffer.from(block)).digest();
    expect(blockKeys([0, 24, 256, 65536], 4, 'salt', ['abc'])).toEqual([h0.readBigUInt64BE(0)]);
    const plain = createHash('sha256').update(Buffer.from([...block.slice(0, -5), 0xf6])).digest();
    expect(blockKeys([0, 24, 256, 65536], 4, 'salt')).toEqual([plain.readBigUInt64BE(0)]);
    expect(blockKeys([0, 24, 256, 65536], 4, 'salt', [])).toEqual([plain.readBigUInt64BE(0)]);
  });

  it('gives the same digests as binary strings, chained from either form', () => {
    for (const v of VECTORS) {
      const chain = hashBlocks(v.tokens, v.blockSize, v.salt, undefined, v.extra);
      expect(Buffer.from(rootDigestBinary(v.salt), 'latin1').equals(rootDigest(v.salt))).toBe(true);
      let parent: string = rootDigestBinary(v.salt);
      for (let b = 0; b < chain.keys.length; b++) {
        const d = blockDigestBinary(parent, v.tokens, b * v.blockSize, v.blockSize, v.extra);
        expect(d).toHaveLength(32);
        expect(Buffer.from(d, 'latin1').equals(chain.digests[b]!)).toBe(true);
        expect(binaryDigestKey(d)).toBe(v.keys[b]);
        const fromBytes = blockDigest(b === 0 ? rootDigest(v.salt) : chain.digests[b - 1]!, v.tokens, b * v.blockSize, v.blockSize, v.extra);
        expect(digestKey(fromBytes)).toBe(v.keys[b]);
        expect(blockDigestBinary(fromBytes, v.tokens, 0, v.blockSize)).toBe(blockDigestBinary(d, v.tokens, 0, v.blockSize));
        parent = d;
      }
    }
    const root = rootDigest('mutable');
    root.fill(0);
    expect(rootDigest('mutable').equals(root)).toBe(false);
  });

  it('hashes only full blocks', () => {
    expect(blockKeys(tokens, 16, 't')).toHaveLength(2);
    expect(blockKeys(tokens.slice(0, 15), 16, 't')).toHaveLength(0);
  });

  it('chains: a shared prefix gives shared keys, a changed token changes every later key', () => {
    const a = blockKeys(tokens, 16, 't');
    const changed = [...tokens];
    changed[3] = 1;
    const b = blockKeys(changed, 16, 't');
    expect(b[0]).not.toBe(a[0]);
    expect(b[1]).not.toBe(a[1]);
    const changedLate = [...tokens];
    changedLate[20] = 1;
    const c = blockKeys(changedLate, 16, 't');
    expect(c[0]).toBe(a[0]);
    expect(c[1]).not.toBe(a[1]);
  });

  it('separates tenants by salt and adapters by extra keys', () => {
    expect(blockKeys(tokens, 16, 'tenant-a')[0]).not.toBe(blockKeys(tokens, 16, 'tenant-b')[0]);
    expect(blockKeys(tokens, 16, 't', ['lora-a'])[0]).not.toBe(blockKeys(tokens, 16, 't', ['lora-b'])[0]);
    expect(blockKeys(tokens, 16, 't', ['lora-a'])[0]).not.toBe(blockKeys(tokens, 16, 't')[0]);
  });

  it('continues a chain from a parent digest, extra keys included', () => {
    const whole = hashBlocks(tokens.slice(0, 32), 16, 's', undefined, ['x']);
    const tail = hashBlocks(tokens.slice(16, 32), 16, 's', whole.digests[0], ['x']);
    expect(tail.keys[0]).toBe(whole.keys[1]);
  });

  it('rejects token ids outside uint32 and bad block sizes', () => {
    expect(() => blockKeys([-1, 2], 2, 's')).toThrow(RangeError);
    expect(() => blockKeys([2 ** 32, 2], 2, 's')).toThrow(RangeError);
    expect(() => blockKeys([1.5, 2], 2, 's')).toThrow(RangeError);
    expect(() => blockKeys([1, 2], 0, 's')).toThrow(RangeError);
  });
});
