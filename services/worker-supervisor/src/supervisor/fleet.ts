import { clone, create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Subjects, type ControlBus } from '@infermesh/control-bus';
import { MeshError, unavailable } from '@infermesh/errors';
import { engine as wire, supervisor as sv } from '@infermesh/proto';
import { createClient, type Client } from '@infermesh/rpc';
import type { Logger } from '@infermesh/telemetry';
import type { WorkerSupervisorOptions } from './options.js';
import { defaultWorkerEntry, WorkerProcess } from './worker-process.js';

/** A fleet member as the registry reports it (the supervisor.v1 Worker message). */
export type Worker = sv.Worker;

/** One generation of a slot: a worker process, its client and its event relay. */
interface Incarnation {
  record: sv.Worker;
  proc?: WorkerProcess;
  client?: Client<typeof wire.Engine>;
  relay: AbortController;
  readyAt?: number;
  dead: boolean;
}

interface Slot {
  index: number;
  generation: number;
  restarts: number;
  /** Consecutive deaths without a stable run; drives the backoff. */
  failures: number;
  current?: Incarnation;
  launching?: Promise<void>;
  restartTimer?: NodeJS.Timeout;
}

/** Dead workers remembered for ListWorkers(include_dead). */
const DEAD_HISTORY = 100;

/**
 * Keeps `options.workers` slots filled with engine processes. Each worker is READY once its
 * GetInfo answered and its WatchEvents stream delivered a first batch; every batch is relayed to
 * `Subjects.workerEvents(id)`. A worker is DEAD when its process exits or its event stream is
 * lost (whichever comes first; the process is then killed to be sure), and its slot is refilled
 * after an exponential backoff (initial * 2^(failures-1), capped). READY and DEAD transitions
 * are published on `Subjects.fleet`.
 */
export class Fleet {
  private readonly slots: Slot[];
  private readonly dead: sv.Worker[] = [];
  private stopping = false;

  constructor(
    private readonly options: WorkerSupervisorOptions,
    private readonly deps: { bus: ControlBus; logger: Logger; onChange?: (worker: sv.Worker) => void },
  ) {
    this.slots = Array.from({ length: options.workers }, (_, index) => ({ index, generation: -1, restarts: 0, failures: 0 }));
  }

  /**
   * Relays a cancellation from the control bus to the engine of `workerId` (Engine.Cancel).
   * Unknown or dead workers are ignored: their sequences are gone with them.
   */
  cancel(workerId: string, request: wire.EngineCancelRequest): void {
    const inc = this.slots.map((s) => s.current).find((c) => c !== undefined && !c.dead && c.record.workerId === workerId);
    if (inc?.client === undefined) return;
    inc.client.cancel(request, { timeoutMs: 2000 }).then(
      (r) => this.deps.logger.debug({ worker_id: workerId, request_id: request.requestId, cancelled: r.cancelled }, 'cancellation relayed to the engine'),
      (err: unknown) => this.deps.logger.warn({ err: MeshError.from(err).message, worker_id: workerId }, 'could not relay a cancellation to the engine'),
    );
  }

  /** Launches every slot once; resolves when each first attempt is READY or has failed (and is retrying). */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.launch(s)));
  }

  /** Live workers (STARTING or READY) in slot order, then the remembered dead if asked. */
  list(includeDead = false): Worker[] {
    const live = this.slots.flatMap((s) => (s.current && !s.current.dead ? [clone(sv.WorkerSchema, s.current.record)] : []));
    return includeDead ? [...live, ...this.dead.map((w) => clone(sv.WorkerSchema, w))] : live;
  }

  /** Stops restarting, then SIGTERMs every worker (SIGKILL after the grace period) and waits for them. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const s of this.slots) clearTimeout(s.restartTimer);
    await Promise.all(this.slots.map((s) => s.launching));
    for (const s of this.slots) s.current?.relay.abort();
    await Promise.all(this.slots.map((s) => s.current?.proc?.kill(this.options.shutdownGraceMs)));
  }

  private launch(slot: Slot): Promise<void> {
    const run = this.incarnate(slot).finally(() => {
      if (slot.launching === run) delete slot.launching;
    });
    slot.launching = run;
    return run;
  }

  private async incarnate(slot: Slot): Promise<void> {
    if (this.stopping) return;
    slot.generation++;
    const o = this.options;
    const workerId = `w${slot.index}-${slot.generation}`;
    const record = create(sv.WorkerSchema, {
      workerId,
      state: sv.WorkerState.STARTING,
      gpu: o.gpu,
      maxNumSeqs: o.maxNumSeqs,
      slot: slot.index,
      restarts: slot.restarts,
      startedAt: timestampFromDate(new Date()),
    });
    const inc: Incarnation = { record, relay: new AbortController(), dead: false };
    slot.current = inc;
    const log = this.deps.logger.child({ worker_id: workerId, slot: slot.index });
    try {
      const args = [
        `--worker-id=${workerId}`,
        `--gpu=${o.gpu}`,
        `--max-num-seqs=${o.maxNumSeqs}`,
        `--kv-blocks=${o.kvBlocksPerWorker}`,
        `--host=${o.host}`,
        '--port=0',
        `--load-interval-ms=${o.loadReportIntervalMs}`,
      ];
      const env = { ...process.env, INFERMESH_LOG_LEVEL: o.workerLogLevel };
      const { proc, port } = await WorkerProcess.spawn(o.workerEntry ?? defaultWorkerEntry(), args, env, o.readyTimeoutMs);
      inc.proc = proc;
      record.pid = proc.pid;
      record.address = `${o.host}:${port}`;
      void proc.exited.then((e) => this.onDeath(slot, inc, `process exited (code ${e.code}, signal ${e.signal})`));
      if (this.stopping || inc.dead) return;
      inc.client = createClient(wire.Engine, record.address, { name: `engine ${workerId}`, timeoutMs: 5000 });
      const info = await inc.client.getInfo({});
      record.models = info.models;
      const events = inc.client.watchEvents({}, { signal: inc.relay.signal })[Symbol.asyncIterator]();
      const first = await events.next();
      if (first.done) throw unavailable('event stream ended before its first batch');
      if (inc.dead) return;
      this.deps.bus.publish(Subjects.workerEvents(workerId), toBinary(wire.WatchEventsResponseSchema, first.value));
      record.state = sv.WorkerState.READY;
      inc.readyAt = Date.now();
      this.publishFleet(record);
      log.info({ pid: record.pid, address: record.address }, 'worker ready');
      void this.relay(slot, inc, events);
    } catch (err) {
      this.onDeath(slot, inc, `start failed: ${MeshError.from(err, 14).message}`);
    }
  }

  private async relay(slot: Slot, inc: Incarnation, events: AsyncIterator<wire.WatchEventsResponse>): Promise<void> {
    const subject = Subjects.workerEvents(inc.record.workerId);
    let reason = 'event stream ended';
    try {
      for (let r = await events.next(); !r.done; r = await events.next()) {
        this.deps.bus.publish(subject, toBinary(wire.WatchEventsResponseSchema, r.value));
      }
    } catch (err) {
      reason = `event stream lost: ${MeshError.from(err).message}`;
    }
    this.onDeath(slot, inc, reason);
  }

  private onDeath(slot: Slot, inc: Incarnation, reason: string): void {
    if (inc.dead) return;
    inc.dead = true;
    inc.relay.abort();
    inc.client?.close();
    if (inc.proc?.alive && !this.stopping) void inc.proc.kill(0);
    inc.record.state = sv.WorkerState.DEAD;
    this.dead.unshift(clone(sv.WorkerSchema, inc.record));
    this.dead.length = Math.min(this.dead.length, DEAD_HISTORY);
    this.publishFleet(inc.record);
    const log = this.deps.logger.child({ worker_id: inc.record.workerId, slot: slot.index });
    if (this.stopping) {
      log.info({ reason }, 'worker stopped');
      return;
    }
    if (inc.readyAt !== undefined && Date.now() - inc.readyAt >= this.options.stableAfterMs) slot.failures = 0;
    slot.failures++;
    slot.restarts++;
    const delay = Math.min(this.options.restartBackoffMaxMs, this.options.restartBackoffInitialMs * 2 ** (slot.failures - 1));
    log.warn({ reason, restart_in_ms: delay, failures: slot.failures }, 'worker dead; restarting');
    slot.restartTimer = setTimeout(() => void this.launch(slot), delay);
  }

  private publishFleet(record: sv.Worker): void {
    const change = create(sv.FleetChangeSchema, { worker: clone(sv.WorkerSchema, record), time: timestampFromDate(new Date()) });
    this.deps.bus.publish(Subjects.fleet, toBinary(sv.FleetChangeSchema, change));
    this.deps.onChange?.(change.worker!);
  }
}
