#!/usr/bin/env node
/**
 * `node tools/infra/dist/main.js up|down|status|env|fetch [--purge]`
 *
 * up      starts whatever of Kafka, NATS and PostgreSQL is not already running (idempotent), keeps
 *         data under .infermesh/infra, and prints `export INFERMESH_…=…` lines on stdout.
 * down    stops them (whole process groups) and keeps their data; `--purge` deletes it too.
 * status  one line per server; exit 0 when all three run, 3 otherwise.
 * env     the export lines of the running servers.
 * fetch   downloads/builds the artifacts into .tools/ without starting anything.
 * Exit 2 when a prerequisite (java, mvn, go or nats-server, postgres user) is missing.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MissingPrerequisiteError } from './errors.js';
import { ensureKafka, startKafka } from './kafka.js';
import { ensureNats, startNats } from './nats.js';
import { stateDir } from './paths.js';
import { portOpen } from './ports.js';
import { startPostgres } from './postgres.js';
import { groupAlive, stopGroup } from './proc.js';
import type { RunningServer, ServerOptions } from './server.js';
import { clearState, readState, writeState, type InfraState, type ServerRecord } from './state.js';

type Name = 'kafka' | 'nats' | 'postgres';
const NAMES: readonly Name[] = ['kafka', 'nats', 'postgres'];
const STARTERS: Record<Name, (o: ServerOptions) => Promise<RunningServer>> = { kafka: startKafka, nats: startNats, postgres: startPostgres };
const say = (line: string): boolean => process.stderr.write(`${line}\n`);

async function running(rec: ServerRecord | undefined): Promise<boolean> {
  return rec !== undefined && groupAlive(rec.pid) && (await portOpen(rec.port));
}

function exports(state: InfraState): string {
  const lines: string[] = [];
  if (state.kafka !== undefined) lines.push(`export INFERMESH_KAFKA_BROKERS=${state.kafka.url}`);
  if (state.nats !== undefined) lines.push(`export INFERMESH_NATS_URL=${state.nats.url}`);
  if (state.postgres !== undefined) lines.push(`export INFERMESH_DATABASE_URL=${state.postgres.url}`);
  return lines.join('\n');
}

async function up(): Promise<void> {
  const state = readState();
  const todo: Name[] = [];
  for (const name of NAMES) {
    if (await running(state[name])) say(`infra: ${name} already running (pid ${state[name]?.pid})`);
    else todo.push(name);
  }
  const started = await Promise.allSettled(
    todo.map(async (name) => {
      const prev = state[name];
      if (prev !== undefined) await stopGroup(prev.pid, 5000, prev.stopSignal);
      const s = await STARTERS[name]({ dataDir: join(stateDir(), name), ownerPid: null, ...(prev === undefined ? {} : { port: prev.port }) });
      state[name] = { pid: s.pid, port: s.port, url: s.url, dataDir: s.dataDir, logFile: s.logFile, stopSignal: name === 'postgres' ? 'SIGINT' : 'SIGTERM' };
      say(`infra: ${name} started on ${s.url} (pid ${s.pid}, log ${s.logFile})`);
    }),
  );
  writeState(state);
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  process.stdout.write(`${exports(state)}\n`);
}

async function down(purge: boolean): Promise<void> {
  const state = readState();
  await Promise.all(
    NAMES.map(async (name) => {
      const rec = state[name];
      if (rec === undefined) return;
      await stopGroup(rec.pid, 15_000, rec.stopSignal);
      say(`infra: ${name} stopped`);
    }),
  );
  clearState();
  if (purge) rmSync(stateDir(), { recursive: true, force: true });
}

async function status(): Promise<number> {
  const state = readState();
  let up = 0;
  for (const name of NAMES) {
    const rec = state[name];
    const ok = await running(rec);
    if (ok) up++;
    process.stdout.write(`${name.padEnd(9)}${ok ? `running  ${rec?.url} (pid ${rec?.pid})` : 'stopped'}\n`);
  }
  return up === NAMES.length ? 0 : 3;
}

async function main(argv: readonly string[]): Promise<number> {
  const cmd = argv[0];
  switch (cmd) {
    case 'up':
      await up();
      return 0;
    case 'down':
      await down(argv.includes('--purge'));
      return 0;
    case 'status':
      return status();
    case 'env':
      process.stdout.write(`${exports(readState())}\n`);
      return 0;
    case 'fetch':
      say(`infra: kafka jars in ${ensureKafka(say)}`);
      say(`infra: nats-server at ${ensureNats(say)}`);
      return 0;
    default:
      say('usage: node tools/infra/dist/main.js up|down [--purge]|status|env|fetch');
      return 64;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    say(err instanceof Error ? err.message : String(err));
    process.exit(err instanceof MissingPrerequisiteError ? 2 : 1);
  },
);
