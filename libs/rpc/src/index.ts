export { createServer, type MeshServer, type ServerOptions } from './server.js';
export { createClient, type ClientOptions } from './client.js';
export { Breaker, defaultBreakerOptions, type BreakerOptions } from './breaker.js';
export { serviceDefinition, methodPath, reflectionPackage } from './adapter.js';
export { toServiceError, fromServiceError } from './status.js';
export { REQUEST_ID_HEADER, TRACEPARENT_HEADER } from './call-context.js';
export { stopOnSignals } from './lifecycle.js';
export type { CallContext, CallOptions, Client, ServiceImpl, RunningService, BreakerState } from './types.js';
