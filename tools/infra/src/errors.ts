import { Code, MeshError } from '@infermesh/errors';

/**
 * A program infra needs is absent or too old. The message names the program, what it is for and
 * how to get it, so a developer can act on it without reading code.
 */
export class MissingPrerequisiteError extends MeshError {
  constructor(
    readonly program: string,
    reason: string,
  ) {
    super(Code.FailedPrecondition, `infra: ${program} is required but ${reason}`);
  }
}

/** A server did not come up; `logFile` holds its own account of why. */
export class StartFailedError extends MeshError {
  constructor(
    readonly server: string,
    readonly logFile: string,
    why: string,
  ) {
    super(Code.Unavailable, `infra: ${server} did not start (${why}); see ${logFile}`);
  }
}
