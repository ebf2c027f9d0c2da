import { createHash, timingSafeEqual } from 'node:crypto';
import { unauthenticated } from '@infermesh/errors';

/** An authenticated caller. `keyId` names the key without revealing it (safe for logs and events). */
export interface Principal {
  tenantId: string;
  keyId: string;
}

/** A stored key: only its SHA-256 is kept, so a leaked store does not leak usable keys. */
export interface ApiKeyRecord {
  tenantId: string;
  keyId: string;
  /** Lower-case hex SHA-256 of the key. */
  keySha256: string;
}

/** SHA-256 of an API key as lower-case hex. Keys are high-entropy, so no slow KDF is needed. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** The key id derived from a key: a short prefix of its hash, stable and non-secret. */
export function keyIdOf(apiKey: string): string {
  return `key_${hashApiKey(apiKey).slice(0, 12)}`;
}

/**
 * Maps API keys to tenants. Lookup is by hash, followed by a constant-time comparison so that
 * response time does not reveal how much of a guessed hash matched.
 */
export class TenantDirectory {
  private readonly byHash = new Map<string, ApiKeyRecord>();

  constructor(records: Iterable<ApiKeyRecord> = []) {
    for (const r of records) this.add(r);
  }

  add(record: ApiKeyRecord): void {
    if (!/^[0-9a-f]{64}$/.test(record.keySha256)) throw new Error(`key ${record.keyId}: keySha256 must be 64 lower-case hex characters`);
    this.byHash.set(record.keySha256, record);
  }

  /** Registers a plain key (kept only as its hash). */
  addKey(tenantId: string, apiKey: string): ApiKeyRecord {
    const record = { tenantId, keyId: keyIdOf(apiKey), keySha256: hashApiKey(apiKey) };
    this.add(record);
    return record;
  }

  /** The principal of a key. UNAUTHENTICATED for a missing or unknown key. */
  authenticate(apiKey: string | undefined): Principal {
    if (apiKey === undefined || apiKey === '') throw unauthenticated('missing API key: send "authorization: Bearer <key>"');
    const hash = hashApiKey(apiKey);
    const record = this.byHash.get(hash);
    if (record === undefined || !timingSafeEqual(Buffer.from(record.keySha256, 'hex'), Buffer.from(hash, 'hex'))) {
      throw unauthenticated('invalid API key');
    }
    return { tenantId: record.tenantId, keyId: record.keyId };
  }

  /** Authenticates an `authorization` header value ("Bearer <key>"). */
  authenticateHeader(value: string | undefined): Principal {
    return this.authenticate(bearerToken(value));
  }
}

/** The token of a "Bearer <token>" header value; undefined when absent or of another scheme. */
export function bearerToken(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m?.[1];
}

/**
 * Parses a development key list "tenant:key,tenant2:key2" (the INFERMESH_API_KEYS variable).
 * Production deployments load hashed records instead; plain keys belong on a developer's machine.
 */
export function parseApiKeySpec(spec: string): Array<{ tenantId: string; apiKey: string }> {
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((pair) => {
      const i = pair.indexOf(':');
      if (i <= 0 || i === pair.length - 1) throw new Error('API key list entries must look like "tenant:key"');
      return { tenantId: pair.slice(0, i).trim(), apiKey: pair.slice(i + 1).trim() };
    });
}
