import { describe, expect, it } from '@jest/globals';
import { Code, MeshError, codeName, toHttpError } from './index.js';

describe('MeshError', () => {
  it('keeps the gRPC code of a grpc-js error and strips its prefix', () => {
    const grpcErr = Object.assign(new Error('14 UNAVAILABLE: No connection established'), {
      code: 14,
      details: 'No connection established',
    });
    const e = MeshError.from(grpcErr);
    expect(e.code).toBe(Code.Unavailable);
    expect(e.message).toBe('No connection established');
    expect(e.cause).toBe(grpcErr);
  });

  it('hides the message of an unknown error behind INTERNAL', () => {
    const e = MeshError.from(new TypeError('secret internals at /srv/x'));
    expect(e.code).toBe(Code.Internal);
    expect(e.message).toBe('internal error');
  });

  it('maps an AbortError to CANCELLED', () => {
    expect(MeshError.from(new DOMException('aborted', 'AbortError')).code).toBe(Code.Cancelled);
  });

  it('names codes in gRPC style', () => {
    expect(codeName(Code.InvalidArgument)).toBe('INVALID_ARGUMENT');
    expect(codeName(Code.Unauthenticated)).toBe('UNAUTHENTICATED');
  });
});

describe('toHttpError', () => {
  it('maps to an OpenAI-shaped body with the right status', () => {
    const { status, body } = toHttpError(new MeshError(Code.InvalidArgument, 'max_tokens must be at least 1', { details: { param: 'max_tokens' } }));
    expect(status).toBe(400);
    expect(body.error).toEqual({
      message: 'max_tokens must be at least 1',
      type: 'invalid_request_error',
      param: 'max_tokens',
      code: 'invalid_argument',
    });
    expect(toHttpError(new MeshError(Code.Unauthenticated, 'bad key')).status).toBe(401);
    expect(toHttpError(new MeshError(Code.ResourceExhausted, 'full')).status).toBe(429);
    expect(toHttpError(new MeshError(Code.NotFound, 'no such model', { details: { model: 'x' } })).body.error.code).toBe('model_not_found');
  });
});
