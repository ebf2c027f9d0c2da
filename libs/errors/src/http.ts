import { Code, codeName } from './code.js';
import { MeshError } from './mesh-error.js';

/** An OpenAI-compatible error body: `{"error": {"message", "type", "param", "code"}}`. */
export interface HttpErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

const httpStatus: Record<Code, number> = {
  [Code.Ok]: 200,
  [Code.Cancelled]: 499,
  [Code.Unknown]: 500,
  [Code.InvalidArgument]: 400,
  [Code.DeadlineExceeded]: 504,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.PermissionDenied]: 403,
  [Code.ResourceExhausted]: 429,
  [Code.FailedPrecondition]: 400,
  [Code.Aborted]: 409,
  [Code.OutOfRange]: 400,
  [Code.Unimplemented]: 501,
  [Code.Internal]: 500,
  [Code.Unavailable]: 503,
  [Code.DataLoss]: 500,
  [Code.Unauthenticated]: 401,
};

// OpenAI's `type` vocabulary, so SDKs raise their matching exception classes.
const openAiType: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: 'invalid_request_error',
  [Code.FailedPrecondition]: 'invalid_request_error',
  [Code.OutOfRange]: 'invalid_request_error',
  [Code.NotFound]: 'invalid_request_error',
  [Code.Unauthenticated]: 'authentication_error',
  [Code.PermissionDenied]: 'permission_error',
  [Code.ResourceExhausted]: 'rate_limit_error',
};

/** The single mapping from any error to an HTTP status and an OpenAI-shaped body. */
export function toHttpError(err: unknown): { status: number; body: HttpErrorBody } {
  const e = MeshError.from(err);
  const param = e.details['param'];
  return {
    status: httpStatus[e.code] ?? 500,
    body: {
      error: {
        message: e.message,
        type: openAiType[e.code] ?? (e.code === Code.Unavailable ? 'service_unavailable' : 'server_error'),
        param: param === undefined ? null : String(param),
        code: e.code === Code.NotFound && typeof e.details['model'] === 'string' ? 'model_not_found' : codeName(e.code).toLowerCase(),
      },
    },
  };
}
