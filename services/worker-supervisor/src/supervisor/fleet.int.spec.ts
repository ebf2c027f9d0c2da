import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { InProcessBus, Subjects } from '@infermesh/control-bus';
import { MemoryEventLog, Producer, verifyLog } from '@infermesh/event-log';
import { supervisor as sv } from '@infermesh/proto';
import { createLogger } from '@infermesh/telemetry';
import { defaultWorkerSupervisorOptions, startWorkerSupervisor } from '../index.js';

describe('fleet restarts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'infermesh-fleet-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('restarts a crashing worker with exponential, capped backoff', async () => {
    const entry = join(dir, 'crash.mjs');
    writeFileSync(entry, 'process.exit(3);\n');
    const bus = new InProcessBus();
    const deaths: number[] = [];
    bus.subscribe(Subjects.fleet, (data) => {
      const change = fromBinary(sv.FleetChangeSchema, data);
      if (change.worker?.state === sv.WorkerState.DEAD) deaths.push(timestampMs(change.time!));
    });
    const log = new MemoryEventLog();
    const events = await Producer.open(log, 'worker-supervisor/test');
    const sup = await startWorkerSupervisor(
      { ...defaultWorkerSupervisorOptions(), workers: 1, workerEntry: entry, restartBackoffInitialMs: 100, restartBackoffMaxMs: 400 },
      { bus, events, logger: createLogger({ service: 'fleet-test', level: 'silent' }) },
    );
    await new Promise((r) => setTimeout(r, 1800));
    const dead = sup.listWorkers(true).filter((w) => w.state === sv.WorkerState.DEAD);
    await sup.stop(500);
    // Stopping kills the worker in flight, which publishes one more death: compare the snapshot only.
    deaths.length = dead.length;
    // Without backoff a crash loop would die every ~50 ms; with 100, 200, 400, 400, ... ms it is 4 to 7 times.
    expect(deaths.length).toBeGreaterThanOrEqual(4);
    expect(deaths.length).toBeLessThanOrEqual(8);
    const gaps = deaths.slice(1).map((t, i) => t - deaths[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
    expect(gaps[2]).toBeGreaterThanOrEqual(400);
    expect(Math.max(...gaps)).toBeLessThan(400 + 1000);
    expect(dead.map((w) => w.workerId)).toEqual(deaths.map((_, i) => `w0-${deaths.length - 1 - i}`));
    expect(dead.map((w) => w.restarts)).toEqual(deaths.map((_, i) => deaths.length - 1 - i));
    // Every death is also in the event log as fleet.changed, in order, on an intact hash chain.
    await events.close();
    const { records } = await log.read(0n, 1000);
    const recorded = records.map((r) => r.envelope).filter((e) => e.payload.case === 'fleetChanged');
    expect(recorded.map((e) => e.type)).toEqual(records.map(() => 'fleet.changed'));
    const recordedDead = recorded.flatMap((e) => (e.payload.case === 'fleetChanged' && e.payload.value.state === 'dead' ? [e.payload.value.workerId] : []));
    expect(recordedDead.slice(0, dead.length)).toEqual([...dead.map((w) => w.workerId)].reverse());
    expect(verifyLog(records).ok).toBe(true);
  });
});
