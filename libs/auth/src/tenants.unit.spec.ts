import { describe, expect, it } from '@jest/globals';
import type { MeshError } from '@infermesh/errors';
import { Code } from '@infermesh/errors';
import { TenantDirectory, bearerToken, hashApiKey } from './index.js';

describe('TenantDirectory', () => {
  const dir = new TenantDirectory();
  const rec = dir.addKey('acme', 'sk-acme-123');

  it('stores only the hash and maps a key to its tenant', () => {
    expect(rec.keySha256).toBe(hashApiKey('sk-acme-123'));
    expect(JSON.stringify(rec)).not.toContain('sk-acme-123');
    expect(dir.authenticateHeader('Bearer sk-acme-123')).toEqual({ tenantId: 'acme', keyId: rec.keyId });
  });

  it('rejects missing, malformed and unknown keys with UNAUTHENTICATED without echoing them', () => {
    for (const header of [undefined, '', 'Basic abc', 'Bearer sk-wrong']) {
      const err = (() => {
        try {
          dir.authenticateHeader(header);
        } catch (e) {
          return e as MeshError;
        }
        throw new Error('accepted');
      })();
      expect(err.code).toBe(Code.Unauthenticated);
      expect(err.message).not.toContain('sk-wrong');
    }
  });

  it('parses bearer tokens', () => {
    expect(bearerToken('bearer  tok ')).toBe('tok');
    expect(bearerToken('Token tok')).toBeUndefined();
  });
});

describe('parseApiKeySpec', () => {
  it('parses tenant:key pairs and rejects malformed ones', async () => {
    const { parseApiKeySpec } = await import('./index.js');
    expect(parseApiKeySpec('a:k1, b:k:2 ,')).toEqual([
      { tenantId: 'a', apiKey: 'k1' },
      { tenantId: 'b', apiKey: 'k:2' },
    ]);
    expect(() => parseApiKeySpec('nokey')).toThrow('tenant:key');
  });
});
