// Test-only helpers shared by the policy specs (not exported from the package).
import type { Candidate, RoutingRequest } from '../types.js';

export const cand = (workerId: string, over: Partial<Candidate> = {}): Candidate => ({
  workerId,
  address: `a:${workerId}`,
  models: ['m'],
  ready: true,
  active: 0,
  capacity: 8,
  waiting: 0,
  kvUsage: 0,
  ...over,
});

export const request = (matches?: Record<string, number>, promptBlocks = 10): RoutingRequest => ({
  model: 'm',
  promptBlocks,
  matches: matches === undefined ? undefined : new Map(Object.entries(matches)),
});
