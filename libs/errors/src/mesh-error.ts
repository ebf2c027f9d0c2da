import { Code, codeName, isCode } from './code.js';

/**
 * The one error type of the mesh. Domain code throws it with a code; the gRPC adapter and the
 * HTTP API map it to the wire in one place each. `message` must never contain prompt or
 * completion text, API keys or other secrets: it travels to clients and into logs.
 */
export class MeshError extends Error {
  override readonly name = 'MeshError';
  readonly code: Code;
  /** Machine-readable detail for clients, e.g. `{ param: 'max_tokens' }`. Never user content. */
  readonly details: Readonly<Record<string, string | number>>;

  constructor(code: Code, message: string, options?: { cause?: unknown; details?: Record<string, string | number> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options?.details ?? {};
  }

  /** "[INVALID_ARGUMENT] max_tokens must be at least 1" */
  override toString(): string {
    return `[${codeName(this.code)}] ${this.message}`;
  }

  /**
   * Wraps anything thrown into a MeshError. Errors that carry a numeric gRPC `code` (grpc-js
   * ServiceError) keep it, with grpc-js's "14 UNAVAILABLE: " prefix removed from the message;
   * an AbortError becomes CANCELLED; everything else is INTERNAL with a generic message so that
   * internals do not leak to clients (the original is kept as `cause` for logs).
   */
  static from(err: unknown, fallback: Code = Code.Internal): MeshError {
    if (err instanceof MeshError) return err;
    if (typeof err === 'object' && err !== null) {
      const e = err as { code?: unknown; details?: unknown; message?: unknown; name?: unknown };
      if (isCode(e.code) && (typeof e.details === 'string' || typeof e.message === 'string')) {
        const text = typeof e.details === 'string' && e.details !== '' ? e.details : String(e.message);
        return new MeshError(e.code, text.replace(/^\d+ [A-Z_]+: /, ''), { cause: err });
      }
      if (e.name === 'AbortError') return new MeshError(Code.Cancelled, 'operation was cancelled', { cause: err });
      if (e.name === 'TimeoutError') return new MeshError(Code.DeadlineExceeded, 'deadline exceeded', { cause: err });
    }
    return new MeshError(fallback, fallback === Code.Internal ? 'internal error' : String(err), { cause: err });
  }
}

/** Shorthands for the codes domain code throws most. */
export const invalidArgument = (message: string, param?: string): MeshError =>
  new MeshError(Code.InvalidArgument, message, param === undefined ? undefined : { details: { param } });
export const notFound = (message: string): MeshError => new MeshError(Code.NotFound, message);
export const unavailable = (message: string, cause?: unknown): MeshError =>
  new MeshError(Code.Unavailable, message, { cause });
export const resourceExhausted = (message: string): MeshError => new MeshError(Code.ResourceExhausted, message);
export const unauthenticated = (message: string): MeshError => new MeshError(Code.Unauthenticated, message);
export const permissionDenied = (message: string): MeshError => new MeshError(Code.PermissionDenied, message);
