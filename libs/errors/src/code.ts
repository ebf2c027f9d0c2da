/**
 * Status codes, numerically identical to gRPC's so that mapping to the wire is the identity.
 * A const object rather than an enum: enums are not erasable syntax and cannot be type-stripped.
 */
export const Code = {
  Ok: 0,
  Cancelled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  ResourceExhausted: 8,
  FailedPrecondition: 9,
  Aborted: 10,
  OutOfRange: 11,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  DataLoss: 15,
  Unauthenticated: 16,
} as const;

export type Code = (typeof Code)[keyof typeof Code];

const names = Object.fromEntries(
  Object.entries(Code).map(([name, value]) => [value, name.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()]),
) as Record<Code, string>;

/** The canonical upper-snake name of a code ("INVALID_ARGUMENT"), as gRPC tooling prints it. */
export function codeName(code: Code): string {
  return names[code] ?? 'UNKNOWN';
}

/** True for any integer that is a known code. */
export function isCode(value: unknown): value is Code {
  return typeof value === 'number' && value in names;
}
