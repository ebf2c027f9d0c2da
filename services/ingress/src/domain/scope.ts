import { MeshError } from '@infermesh/errors';
import type { RequestScope } from './ports.js';

/**
 * The scope with a deadline: the caller's, or `defaultMs` from now when it set none. The
 * returned signal aborts with a TimeoutError at the deadline, so every downstream call and the
 * worker's sequence stop with it.
 */
export function withDeadline(scope: RequestScope, defaultMs: number): RequestScope {
  const deadline = scope.deadline ?? new Date(Date.now() + defaultMs);
  const timeout = AbortSignal.timeout(Math.max(0, deadline.getTime() - Date.now()));
  return { ...scope, deadline, signal: AbortSignal.any([scope.signal, timeout]), header: scope.header, setHeader: scope.setHeader };
}

/** Rejects at once if the scope is already over (cancelled or past its deadline). */
export function assertActive(scope: RequestScope): void {
  if (scope.signal.aborted) throw MeshError.from(scope.signal.reason);
}
