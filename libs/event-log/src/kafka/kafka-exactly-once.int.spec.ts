import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { startKafka, type KafkaServer } from '@infermesh/infra';
import { verifyLog } from '../verify.js';
import { readTopics, type TopicRecord } from './topic-reader.js';
import { KafkaTopics } from './topics.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const WRITER = join(ROOT, 'libs/event-log/dist/kafka/outbox-writer-process.js');
const scale = Math.min(4, Math.max(1, Number(process.env['INFERMESH_TEST_TIME_SCALE']) || (loadavg()[0] ?? 0) / availableParallelism()));

const TOTAL = 3000;
const KILLS = 15;
const PRODUCER = 'ingress/crashy';

/** One run of the writer process; `lines` counts what it printed, `exited` settles on exit. */
class Writer {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  relayed = 0;
  done = false;
  /** The producer's last sequence when this run opened it. */
  startSequence: number | undefined;
  private waiters: (() => void)[] = [];

  constructor(brokers: string[], outboxDir: string, paceMs: number) {
    this.child = spawn(process.execPath, ['--no-warnings', WRITER], {
      env: { ...process.env, INFERMESH_KAFKA_BROKERS: brokers.join(','), OUTBOX_DIR: outboxDir, PRODUCER, TOTAL: String(TOTAL), PACE_MS: String(paceMs), RELAY_BATCH: '40' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      if (line.startsWith('relayed ')) this.relayed++;
      if (line === 'done') this.done = true;
      if (line.startsWith('ready ')) this.startSequence = Number(line.slice(6));
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves after the next line printed (or at exit). */
  nextLine(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      void this.exited.then(() => resolve());
    });
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

describe('KafkaEventLog publishes exactly once across SIGKILLs of the relay', () => {
  let kafka: KafkaServer;
  const dir = mkdtempSync(join(tmpdir(), 'infermesh-kafka-eos-'));
  let current: Writer | undefined;
  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'libs/event-log'], { cwd: ROOT, stdio: 'inherit' });
    kafka = await startKafka();
  }, 180_000);
  afterAll(async () => {
    await current?.kill();
    await kafka?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a read_committed consumer sees every envelope once, in sequence order per key, with intact chains', async () => {
    const outboxDir = join(dir, 'outbox');
    let afterAck = 0;
    const starts: (number | undefined)[] = [];
    for (let k = 0; k < KILLS; k++) {
      current = new Writer(kafka.brokers, outboxDir, 3);
      if (k % 3 !== 2) {
        // Right after a committed batch (the window between Kafka's commit and the local cursor
        // file), or a few ms later (inside the next transaction).
        const target = 1 + Math.floor(Math.random() * 4);
        const deadline = Date.now() + 20_000 * scale;
        while (current.relayed < target && Date.now() < deadline && current.child.exitCode === null) {
          await Promise.race([current.nextLine(), sleep(200)]);
        }
        if (current.relayed >= target) afterAck++;
        if (k % 3 === 1) await sleep(Math.random() * 30);
      } else {
        // Anywhere: opening, recovering the cursor, appending, inside a transaction.
        await sleep(Math.random() * 2500 * scale);
      }
      await current.kill();
      starts.push(current.startSequence);
    }
    // The last run appends the rest at full speed, publishes everything and exits.
    current = new Writer(kafka.brokers, outboxDir, 0);
    const timeout = new AbortController();
    const code = await Promise.race([current.exited, sleep(60_000 * scale, 'timeout', { signal: timeout.signal })]);
    timeout.abort();
    expect({ code, done: current.done }).toEqual({ code: 0, done: true });
    current = undefined;
    // Most kills must have hit a writer that was appending and relaying, not one that had finished.
    expect(afterAck).toBeGreaterThanOrEqual((KILLS * 2) / 3 - 2);
    expect(starts.filter((s) => s !== undefined && s < TOTAL).length).toBeGreaterThanOrEqual(KILLS / 2);

    const mine = async (readUncommitted: boolean): Promise<TopicRecord[]> => {
      const out: TopicRecord[] = [];
      for await (const r of readTopics(kafka.brokers, [KafkaTopics.requestLifecycle, KafkaTopics.usage], { readUncommitted })) {
        if (r.envelope.producer === PRODUCER) out.push(r);
      }
      return out;
    };
    const got = await mine(false);
    const ids = got.map((r) => r.envelope.id);
    const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect({ records: got.length, repeated: repeated.length }).toEqual({ records: TOTAL, repeated: 0 });
    const sequences = got.map((r) => r.envelope.sequence).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(sequences).toEqual(Array.from({ length: TOTAL }, (_, i) => BigInt(i + 1)));

    const byKey = new Map<string, TopicRecord[]>();
    for (const r of got) {
      const key = `${r.topic}/${r.key ?? ''}`;
      byKey.set(key, [...(byKey.get(key) ?? []), r]);
    }
    for (const [key, rs] of byKey) {
      expect(new Set(rs.map((r) => r.partition)).size).toBe(1);
      const inLogOrder = [...rs].sort((a, b) => (a.offset < b.offset ? -1 : 1)).map((r) => r.envelope.sequence);
      expect({ key, inLogOrder }).toEqual({ key, inLogOrder: [...inLogOrder].sort((a, b) => (a < b ? -1 : 1)) });
    }
    const bySequence = [...got].sort((a, b) => (a.envelope.sequence < b.envelope.sequence ? -1 : 1));
    expect(verifyLog(bySequence.map((r, i) => ({ offset: BigInt(i), envelope: r.envelope }))).ok).toBe(true);

    // What a read_uncommitted reader would get: aborted copies of batches cut off by a kill.
    const raw = await mine(true);
    expect(raw.length).toBeGreaterThanOrEqual(TOTAL);
    process.stdout.write(`exactly-once: ${KILLS} kills (${afterAck} just after a commit; sequences at restarts ${starts.join(',')}), ${TOTAL} committed records, ${raw.length - TOTAL} aborted copies in the log\n`);
  }, 180_000 * scale);
});
