import { mooncakeWorkload } from './mooncake.js';
import { multiTurnWorkload } from './multi-turn.js';
import { noSharingWorkload } from './no-sharing.js';
import { sharedPrefixWorkload } from './shared-prefix.js';
import type { Workload, WorkloadOptions } from './types.js';

/** Workloads by name; each call builds a fresh (stateful) instance for one run. */
export const workloads: Readonly<Record<string, (o: WorkloadOptions) => Workload>> = {
  'shared-prefix': (o) => sharedPrefixWorkload(o),
  'multi-turn': (o) => multiTurnWorkload(o),
  'no-sharing': (o) => noSharingWorkload(o),
  mooncake: (o) => mooncakeWorkload(o),
};

/** A fresh instance of the named workload; throws an Error listing the known names for an unknown one. */
export function buildWorkload(name: string, o: WorkloadOptions): Workload {
  const make = workloads[name];
  if (make === undefined) throw new Error(`unknown workload "${name}" (known: ${Object.keys(workloads).join(', ')})`);
  return make(o);
}
