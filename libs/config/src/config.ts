import { invalidArgument } from '@infermesh/errors';

/**
 * Reading typed values from an environment-like map. Only entry points (main.ts, the CLI) call
 * these; everything below them receives typed options objects.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export function envString(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

/** An integer in [min, max]; a malformed value is an error naming the variable, not a silent default. */
export function envInt(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw invalidArgument(`${name} must be an integer in [${min}, ${max}], got "${v}"`, name);
  return n;
}

export function envBool(env: Env, name: string, fallback: boolean): boolean {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw invalidArgument(`${name} must be a boolean, got "${v}"`, name);
}

/** A TCP port (0 picks a free one). */
export function envPort(env: Env, name: string, fallback: number): number {
  return envInt(env, name, fallback, 0, 65535);
}
