/**
 * Billing benchmarks, same run, same workload, both backends:
 *  1. commit throughput: usage events/s the ledger consumer commits from an in-memory event log
 *     into PostgreSQL (a real server from tools/infra) and into embedded PGlite (in memory);
 *  2. replay: time to rebuild an empty ledger from `replay` events, from Kafka into PostgreSQL
 *     (`replayLedgerFromKafka`) and from the FileEventLog into PGlite (`replayLedger`).
 *
 *   node tools/bench/dist/billing/main.js [commitEvents=20000] [replayEvents=100000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { defaultBillingOptions, replayLedger, replayLedgerFromKafka, startBilling } from '@infermesh/billing';
import { FileEventLog, KafkaTopics, MemoryEventLog, Producer, toRecord, type EventDraft, type EventLog } from '@infermesh/event-log';
import { startKafka, startPostgres } from '@infermesh/infra';
import { createLogger } from '@infermesh/telemetry';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';

const commitEvents = Number(process.argv[2] ?? 20_000);
const replayEvents = Number(process.argv[3] ?? 100_000);
const logger = createLogger({ service: 'bench-billing', level: 'silent' });
const models = ['llama-3.1-8b-instruct', 'qwen3-8b', 'gpt-oss-20b'];

const usage = (i: number): EventDraft => ({
  tenantId: `tenant-${i % 16}`,
  requestId: `req-${i}`,
  payload: { case: 'usageRecorded', value: { model: models[i % 3]!, usage: { promptTokens: 512 + (i % 100), cachedPromptTokens: 256, completionTokens: 128 } } },
});

async function fill(log: EventLog, n: number): Promise<void> {
  const p = await Producer.open(log, 'ingress/bench');
  for (let i = 0; i < n; i += 1000) await p.append(Array.from({ length: Math.min(1000, n - i) }, (_, j) => usage(i + j)));
  await p.close();
}

async function freshDatabase(baseUrl: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: baseUrl });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return baseUrl.replace(/\/[^/]*$/, `/${name}`);
}

async function commitRate(label: string, databaseUrl: string | undefined, log: EventLog): Promise<number> {
  const t0 = performance.now();
  const running = await startBilling({ ...defaultBillingOptions(), databaseUrl, batchSize: 500 }, { log, logger, authenticate: () => ({ tenantId: '' }) });
  await running.waitForOffset(log.endOffset(), 600_000);
  const s = (performance.now() - t0) / 1000;
  await running.stop(100);
  const rate = commitEvents / s;
  console.log(`commit ${label}: ${commitEvents} events in ${s.toFixed(2)} s = ${rate.toFixed(0)} events/s`);
  return rate;
}

const dir = mkdtempSync(join(tmpdir(), 'bench-billing-'));
const [kafka, postgres] = await Promise.all([startKafka(), startPostgres()]);
try {
  console.log(`load before: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 shared cores)`);
  const mem = new MemoryEventLog();
  await fill(mem, commitEvents);
  const pgRate = await commitRate('PostgreSQL', await freshDatabase(postgres.url, 'bench_commit'), mem);
  const liteRate = await commitRate('PGlite', undefined, mem);
  console.log(`commit ratio PostgreSQL / PGlite: ${(pgRate / liteRate).toFixed(2)}`);

  const file = await FileEventLog.open(join(dir, 'events'));
  await fill(file, replayEvents);
  const producer = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (let from = 0n; from < file.endOffset();) {
    const { records, nextOffset } = await file.read(from, 5000);
    await producer.send({ topic: KafkaTopics.usage, acks: -1, messages: records.map((r) => toRecord(r.envelope)).map((r) => ({ key: r.key, value: r.value, headers: r.headers })) });
    from = nextOffset;
  }
  await producer.disconnect();
  let t0 = performance.now();
  const fromKafka = await replayLedgerFromKafka(kafka.brokers, { databaseUrl: await freshDatabase(postgres.url, 'bench_replay'), batchSize: 2000 });
  const kafkaS = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const fromFile = await replayLedger(file, { batchSize: 2000 });
  const fileS = (performance.now() - t0) / 1000;
  console.log(`replay ${replayEvents} events: Kafka -> PostgreSQL ${kafkaS.toFixed(1)} s (${(replayEvents / kafkaS).toFixed(0)}/s), FileEventLog -> PGlite ${fileS.toFixed(1)} s (${(replayEvents / fileS).toFixed(0)}/s)`);
  console.log(`replays agree: ${Buffer.from(fromKafka.sha256).equals(Buffer.from(fromFile.sha256)) && fromKafka.lines === fromFile.lines}`);
  console.log(`load after: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  await file.close();
} finally {
  await kafka.stop();
  await postgres.stop();
  rmSync(dir, { recursive: true, force: true });
}
