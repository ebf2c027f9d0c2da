import { Metadata, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { MeshError } from '@infermesh/errors';

/**
 * The single mapping from any error to a gRPC status. MeshError codes are gRPC codes; details
 * travel as `x-error-<key>` trailers so clients can read a machine-readable `param`.
 */
export function toServiceError(err: unknown): Partial<StatusObject> & { code: number; details: string } {
  const e = MeshError.from(err);
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(e.details)) metadata.set(`x-error-${k.toLowerCase()}`, String(v));
  return { code: e.code, details: e.message, metadata };
}

/** Turns a grpc-js client error back into a MeshError, keeping `x-error-*` details. */
export function fromServiceError(err: unknown): MeshError {
  const e = err as Partial<ServiceError>;
  const base = MeshError.from(err);
  if (e.metadata instanceof Metadata) {
    const details: Record<string, string> = {};
    for (const [k, v] of Object.entries(e.metadata.getMap())) {
      if (k.startsWith('x-error-') && typeof v === 'string') details[k.slice(8)] = v;
    }
    if (Object.keys(details).length > 0) return new MeshError(base.code, base.message, { details, cause: err });
  }
  return base;
}
