import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { blockKeys, hashBlocks, rootDigest } from './index.js';

describe('block hashes', () => {
  const tokens = Array.from({ length: 40 }, (_, i) => (i * 7919) % 128000);

  it('hashes only full blocks', () => {
    expect(blockKeys(tokens, 16, 't')).toHaveLength(2);
    expect(blockKeys(tokens.slice(0, 15), 16, 't')).toHaveLength(0);
  });

  it('matches the documented scheme computed independently', () => {
    const root = createHash('sha256').update('infermesh-kv-v1\u0000salt').digest();
    const block = Buffer.alloc(4 + 64);
    block.writeUInt32LE(16, 0);
    tokens.slice(0, 16).forEach((t, i) => block.writeUInt32LE(t, 4 + 4 * i));
    const h0 = createHash('sha256').update(root).update(block).digest();
    expect(rootDigest('salt').equals(root)).toBe(true);
    expect(blockKeys(tokens, 16, 'salt')[0]).toBe(h0.readBigUInt64BE(0));
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

  it('separates tenants by salt', () => {
    expect(blockKeys(tokens, 16, 'tenant-a')[0]).not.toBe(blockKeys(tokens, 16, 'tenant-b')[0]);
  });

  it('continues a chain from a parent digest', () => {
    const whole = hashBlocks(tokens.slice(0, 32), 16, 's');
    const tail = hashBlocks(tokens.slice(16, 32), 16, 's', whole.digests[0]);
    expect(tail.keys[0]).toBe(whole.keys[1]);
  });
});
