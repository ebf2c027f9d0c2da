import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { create } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { highWaterMarks, KafkaTopics, readTopics, toRecord, verifyLog, type Envelope } from '@infermesh/event-log';
import { startKafka, startPostgres, type KafkaServer, type PostgresServer } from '@infermesh/infra';
import { billing, events } from '@infermesh/proto';
import { createClient } from '@infermesh/rpc';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import pg from 'pg';
import { monotonicFactory } from 'ulid';
import { replayLedgerFromKafka } from './kafka-replay.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ADMIN = 'crash-test-admin';
const TOTAL = 3000;
const KILLS = Number(process.env['CRASH_KILLS'] ?? 20);
const models = ['llama-3.1-8b-instruct', 'qwen3-8b', 'gpt-oss-20b'];

/** One billing process (node services/billing/dist/main.js) with its parsed pino lines. */
class BillingProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  address: string | undefined;
  private lineWaiters: { test: (l: Record<string, unknown>) => boolean; resolve: () => void }[] = [];

  constructor(env: Record<string, string>) {
    this.child = spawn(process.execPath, [`${ROOT}services/billing/dist/main.js`], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      if (process.env['CRASH_DEBUG'] !== undefined) process.stderr.write(`${text.slice(0, 250)}\n`);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      if (line['msg'] === 'billing started') this.address = String(line['address']);
      const ready = this.lineWaiters.filter((x) => x.test(line));
      this.lineWaiters = this.lineWaiters.filter((x) => !ready.includes(x));
      for (const w of ready) w.resolve();
    });
  }

  /** Resolves on the `n`th future log line matching `test` (resolves never if the process dies first). */
  nthLine(test: (l: Record<string, unknown>) => boolean, n: number): Promise<void> {
    let seen = 0;
    return new Promise((resolve) => this.lineWaiters.push({ test: (l) => test(l) && ++seen >= n, resolve }));
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function usageEnvelope(nextId: () => string, i: number, seq: bigint): Envelope {
  const tenantId = `tenant-${i % 7}`;
  return create(events.EnvelopeSchema, {
    id: nextId(), type: 'usage.recorded', schemaVersion: 1, time: timestampFromMs(Date.UTC(2026, 0, 1) + i), producer: 'ingress/crash', tenantId,
    requestId: `req-${i}`, sequence: seq,
    payload: { case: 'usageRecorded', value: {
      model: models[i % 3]!, usage: { promptTokens: 100 + (i % 900), cachedPromptTokens: i % 64, completionTokens: 1 + (i % 300) },
      acceptedAt: timestampFromMs(Date.UTC(2026, 0, 1) + i * 1000),
    } },
  });
}

describe('billing on Kafka and PostgreSQL, SIGKILLed 20 times', () => {
  let kafka: KafkaServer;
  let postgres: PostgresServer;
  let producer: Producer;
  let current: BillingProcess | undefined;
  beforeAll(async () => {
    execFileSync('npx', ['tsc', '-b', 'services/billing'], { cwd: ROOT, stdio: 'inherit' });
    [kafka, postgres] = await Promise.all([startKafka(), startPostgres()]);
    const k = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [KafkaTopics.usage, KafkaTopics.ratedUsage].map((topic) => ({ topic, numPartitions: 3 })) });
    await admin.disconnect();
    producer = k.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  }, 180_000);
  afterAll(async () => {
    await current?.kill();
    await producer?.disconnect();
    await kafka?.stop();
    await postgres?.stop();
  }, 60_000);

  it('ends with the ledger equal to a replay of the topic, each usage event charged and rated exactly once', async () => {
    const env = {
      INFERMESH_DATABASE_URL: postgres.url, INFERMESH_KAFKA_BROKERS: kafka.brokers.join(','), INFERMESH_BILLING_PORT: '0',
      INFERMESH_BILLING_ADMIN_TOKEN: ADMIN, INFERMESH_BILLING_BATCH_SIZE: '25', INFERMESH_LOG_LEVEL: 'debug', INFERMESH_API_KEYS: '',
    };
    // The usage stream: before each restart a new chunk of TOTAL / KILLS distinct events, so every
    // process has a backlog to consume when it is killed, plus about 10% of the chunk and a few
    // events of the previous chunk published again (producer retries after ambiguous failures).
    const nextId = monotonicFactory();
    const sent: Envelope[] = [];
    const perChunk = Math.ceil(TOTAL / KILLS);
    const produceChunk = async (): Promise<void> => {
      const start = sent.length;
      const chunk = Array.from({ length: perChunk }, (_, j) => usageEnvelope(nextId, start + j, BigInt(start + j + 1)));
      const again = [...chunk.filter((_, j) => j % 10 === 3), ...sent.slice(Math.max(0, start - 5))];
      sent.push(...chunk);
      const records = [...chunk, ...again].map(toRecord);
      await producer.send({ topic: KafkaTopics.usage, acks: -1, messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })) });
    };

    let afterCommit = 0;
    for (let k = 0; k < KILLS; k++) {
      await produceChunk();
      current = new BillingProcess(env);
      if (k % 2 === 0) {
        // Right after a ledger transaction committed and before the lag-group offsets follow it.
        const committed = current.nthLine((l) => l['msg'] === 'ledger batch committed', 1 + Math.floor(Math.random() * 4));
        const won = await Promise.race([committed.then(() => true), sleep(15_000).then(() => false)]);
        if (won) afterCommit++;
      } else {
        await sleep(200 + Math.random() * 1000);
      }
      await current.kill();
    }
    expect(afterCommit).toBeGreaterThanOrEqual(KILLS / 2 - 2);

    current = new BillingProcess(env);
    const k = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING });
    const ends = await highWaterMarks(k, [KafkaTopics.usage]);
    const deadline = Date.now() + 60_000;
    while (current.address === undefined && Date.now() < deadline) await sleep(50);
    const client = createClient(billing.Billing, current.address!, { name: 'billing', timeoutMs: 10_000 });
    const auth = { headers: { authorization: `Bearer ${ADMIN}` } };
    let digest = await client.getLedgerDigest({}, auth);
    const caughtUp = (): boolean => [...ends].every(([key, { high }]) => (digest.positions.find((p) => p.source === key)?.nextOffset ?? 0n) >= high);
    while (!caughtUp() && Date.now() < deadline) {
      await sleep(200);
      digest = await client.getLedgerDigest({}, auth);
    }
    expect(caughtUp()).toBe(true);

    const distinct = new Set(sent.map((e) => e.id));
    expect(digest.lines).toBe(BigInt(distinct.size));
    const replay = await replayLedgerFromKafka(kafka.brokers);
    expect({ lines: replay.lines, total: replay.totalAmountMicros, sha: Buffer.from(replay.sha256).toString('hex') })
      .toEqual({ lines: digest.lines, total: digest.totalAmountMicros, sha: Buffer.from(digest.sha256).toString('hex') });

    const db = new pg.Client({ connectionString: postgres.url });
    await db.connect();
    const { rows } = await db.query<{ event_id: string; amount: string }>('SELECT event_id, amount_micros::text AS amount FROM ledger_lines');
    await db.end();
    const amounts = new Map(rows.map((r) => [r.event_id, BigInt(r.amount)]));
    expect(new Set(amounts.keys())).toEqual(distinct);

    // Rated usage: wait until every line's rated event is on the topic, then compare one to one.
    const rated = new Map<string, Envelope>();
    while (rated.size < amounts.size && Date.now() < deadline + 30_000) {
      rated.clear();
      for await (const r of readTopics(kafka.brokers, [KafkaTopics.ratedUsage])) {
        if (r.envelope.payload.case === 'usageRated' && !rated.has(r.envelope.payload.value.sourceEventId)) rated.set(r.envelope.payload.value.sourceEventId, r.envelope);
      }
      if (rated.size < amounts.size) await sleep(500);
    }
    expect(rated.size).toBe(amounts.size);
    for (const [source, env] of rated) {
      expect(env.payload.case === 'usageRated' ? env.payload.value.amountMicros : -1n).toBe(amounts.get(source));
    }
    const chain = [...rated.values()].sort((a, b) => (a.sequence < b.sequence ? -1 : 1));
    expect(chain.map((e) => e.sequence)).toEqual(chain.map((_, i) => BigInt(i + 1)));
    expect(verifyLog(chain.map((envelope, i) => ({ offset: BigInt(i), envelope }))).ok).toBe(true);

    client.close();
    current.child.kill('SIGTERM');
    expect(await current.exited).toBe(0);
    current = undefined;
  }, 240_000);
});
