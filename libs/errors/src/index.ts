export { Code, codeName, isCode } from './code.js';
export {
  MeshError,
  invalidArgument,
  notFound,
  unavailable,
  resourceExhausted,
  unauthenticated,
  permissionDenied,
} from './mesh-error.js';
export { toHttpError, type HttpErrorBody } from './http.js';
