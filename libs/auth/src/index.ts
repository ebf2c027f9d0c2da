export { TenantDirectory, hashApiKey, keyIdOf, bearerToken, type Principal, type ApiKeyRecord } from './tenants.js';
