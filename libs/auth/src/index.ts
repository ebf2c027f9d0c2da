export { TenantDirectory, hashApiKey, keyIdOf, bearerToken, parseApiKeySpec, type Principal, type ApiKeyRecord } from './tenants.js';
