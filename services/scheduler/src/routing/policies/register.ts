import { invalidArgument } from '@infermesh/errors';
import { buildRouter, type RouterConfig } from '../register.js';
import type { Router } from '../router.js';
import { cacheAwarePolicy } from './cache-aware/index.js';
import { leastLoadPolicy } from './least-load/index.js';
import { oraclePolicy } from './oracle/index.js';
import { randomPolicy } from './random/index.js';
import { roundRobinPolicy } from './round-robin/index.js';
import type { RoutingPolicy } from './types.js';

/** Every routing policy by name. Add a folder and a line here and it is selectable. */
export const routingPolicies: Readonly<Record<string, RoutingPolicy>> = {
  [randomPolicy.name]: randomPolicy,
  [roundRobinPolicy.name]: roundRobinPolicy,
  [leastLoadPolicy.name]: leastLoadPolicy,
  [cacheAwarePolicy.name]: cacheAwarePolicy,
  [oraclePolicy.name]: oraclePolicy,
};

/** Overrides applied on top of a policy's preset. */
export interface PolicyOverrides {
  /** Replaces the preset's weights entirely when given. */
  weights?: Record<string, number>;
  seed?: number;
}

/** A policy made concrete: its Router and the configuration it was built from. */
export interface BuiltPolicy {
  readonly policy: RoutingPolicy;
  readonly config: RouterConfig;
  readonly router: Router;
}

/** Builds the named policy's Router; INVALID_ARGUMENT for an unknown policy or bad overrides. */
export function buildPolicy(name: string, overrides: PolicyOverrides = {}): BuiltPolicy {
  const policy = routingPolicies[name];
  if (policy === undefined) {
    throw invalidArgument(`unknown routing policy "${name}" (known: ${Object.keys(routingPolicies).join(', ')})`, 'policy');
  }
  const config: RouterConfig = { ...policy.config() };
  if (overrides.weights !== undefined) config.weights = { ...overrides.weights };
  if (overrides.seed !== undefined) config.seed = overrides.seed;
  return { policy, config, router: buildRouter(config) };
}
