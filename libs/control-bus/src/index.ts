export { type ControlBus, type Subscription, Subjects, subjectMatches } from './control-bus.js';
export { InProcessBus } from './in-process-bus.js';
export { NatsBus, defaultNatsBusOptions, type NatsBusOptions } from './nats/nats-bus.js';
export type { WorkerRegistry } from './nats/worker-registry.js';
export { NatsWorkerRegistry, defaultNatsWorkerRegistryOptions, type NatsWorkerRegistryOptions } from './nats/nats-worker-registry.js';
export { openControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.js';
