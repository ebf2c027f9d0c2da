/**
 * A server started by infra. `stop()` ends its whole process group and, for a server whose data
 * directory infra created, deletes it; `stop({ keepData: true })` then `start()`, or `restart()`,
 * bring it back on the same port and data (outage tests: clients keep their configured address).
 */
export interface RunningServer {
  readonly name: 'kafka' | 'nats' | 'postgres';
  /** What a client is configured with: `127.0.0.1:PORT` (Kafka), `nats://…`, `postgres://…`. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logFile: string;
  /** Leader of the server's process group. Changes on restart. */
  readonly pid: number;
  /** Ends the process group; `keepData` keeps a temporary data directory for a later `start()`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Starts it again after `stop({ keepData: true })`, same port and data; no-op while running. */
  start(): Promise<void>;
  restart(): Promise<void>;
}

/** Options every `start*` function takes. */
export interface ServerOptions {
  /** 127.0.0.1 port to listen on; 0 or unset picks a free one. */
  port?: number;
  /**
   * Data directory, kept on stop (reused by the next start: a formatted Kafka log, a NATS
   * JetStream store, a PostgreSQL cluster). Unset: a fresh temporary directory removed on stop.
   */
  dataDir?: string;
  /**
   * Pid whose exit kills the server (a watchdog process polls it each second). Defaults to this
   * process, so nothing outlives a test run; `null` lets the server outlive its starter (the CLI).
   */
  ownerPid?: number | null;
}
