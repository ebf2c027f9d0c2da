import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stateDir } from './paths.js';

/** What the CLI remembers of one server it started (the server outlives the CLI). */
export interface ServerRecord {
  pid: number;
  port: number;
  url: string;
  dataDir: string;
  logFile: string;
  /** The signal that shuts it down cleanly (PostgreSQL: SIGINT, "fast" shutdown). */
  stopSignal: NodeJS.Signals;
}

export type InfraState = Partial<Record<'kafka' | 'nats' | 'postgres', ServerRecord>>;

const file = (): string => join(stateDir(), 'state.json');

export function readState(): InfraState {
  if (!existsSync(file())) return {};
  try {
    return JSON.parse(readFileSync(file(), 'utf8')) as InfraState;
  } catch {
    return {};
  }
}

/** Replaces the state file atomically (write then rename). */
export function writeState(state: InfraState): void {
  mkdirSync(stateDir(), { recursive: true });
  writeFileSync(`${file()}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file()}.tmp`, file());
}

export function clearState(): void {
  rmSync(file(), { force: true });
}
