import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest ancestor of this file holding `tools/infra`. Works from `src/`
 * (tests) and `dist/` (the CLI) alike.
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'tools', 'infra', 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/**
 * Where downloaded artifacts are cached (Kafka jars, the Maven repository, the nats-server
 * binary, the Go build cache): `.tools/` at the repository root, gitignored, reused across runs.
 * `INFERMESH_TOOLS_DIR` overrides it (used to measure a fresh fetch).
 */
export function toolsDir(): string {
  return resolve(process.env['INFERMESH_TOOLS_DIR'] ?? join(repoRoot(), '.tools'));
}

/** State of the servers the CLI keeps running between invocations (`.infermesh/infra`). */
export function stateDir(): string {
  return resolve(process.env['INFERMESH_INFRA_DIR'] ?? join(repoRoot(), '.infermesh', 'infra'));
}
