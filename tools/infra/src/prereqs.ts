import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { MissingPrerequisiteError } from './errors.js';

/** Absolute path of `program` on PATH, or undefined. */
export function which(program: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this directory.
    }
  }
  return undefined;
}

/** Throws MissingPrerequisiteError unless `program` is on PATH. `hint` says how to get it. */
export function requireProgram(program: string, purpose: string, hint: string): string {
  const path = which(program);
  if (path === undefined) throw new MissingPrerequisiteError(program, `was not found on PATH (needed ${purpose}; ${hint})`);
  return path;
}

/** Java's feature release (17 for "17.0.15"), or throws when java is absent or older than `min`. */
export function requireJava(min = 17): number {
  requireProgram('java', 'to run the Kafka broker', 'install a JDK/JRE 17+, e.g. `apt-get install -y openjdk-17-jre-headless`');
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  const major = m === null ? 0 : Number(m[1] === '1' ? m[2] : m[1]);
  if (major < min) throw new MissingPrerequisiteError('java', `is version ${major || 'unknown'}; Kafka 4 needs ${min} or newer`);
  return major;
}
