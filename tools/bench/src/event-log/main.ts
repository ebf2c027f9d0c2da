/**
 * Event-log append throughput: the embedded FileEventLog against the Kafka event log (outbox +
 * relay to a real single-node broker started by tools/infra), same workload, same run.
 *
 *   node tools/bench/dist/event-log/main.js [events=20000] [concurrency=32]
 *
 * Each of `concurrency` callers appends one usage event at a time through one `Producer` (so the
 * producer's batching and the log's group commit are exercised as ingress uses them). Reported:
 * events/s until every append resolved (durable locally) and, for Kafka, until every event was
 * acknowledged by the broker (acks=all); append latency percentiles from hdr-histogram-js.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FileEventLog, KafkaEventLog, Producer, type EventLog } from '@infermesh/event-log';
import { startKafka } from '@infermesh/infra';
import * as hdr from 'hdr-histogram-js';
import { usageDraft } from './usage-draft.js';

const events = Number(process.argv[2] ?? 20_000);
const concurrency = Number(process.argv[3] ?? 32);


interface Result {
  name: string;
  appendedPerSec: number;
  publishedPerSec?: number;
  p50us: number;
  p99us: number;
  maxUs: number;
}

async function run(name: string, log: EventLog, producerName: string, count: number, flush?: () => Promise<boolean>): Promise<Result> {
  const producer = await Producer.open(log, producerName);
  const h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const s = performance.now();
        await producer.append([usageDraft(i)]);
        h.recordValue(Math.max(1, Math.round((performance.now() - s) * 1000)));
      }
    }),
  );
  const tAppended = performance.now() - t0;
  let tPublished: number | undefined;
  if (flush !== undefined) {
    if (!(await flush())) throw new Error(`${name}: not published within the flush timeout`);
    tPublished = performance.now() - t0;
  }
  await producer.close();
  const r: Result = {
    name,
    appendedPerSec: Math.round((count / tAppended) * 1000),
    p50us: h.getValueAtPercentile(50),
    p99us: h.getValueAtPercentile(99),
    maxUs: h.maxValue,
  };
  if (tPublished !== undefined) r.publishedPerSec = Math.round((count / tPublished) * 1000);
  h.destroy();
  return r;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'infermesh-bench-eventlog-'));
  const kafka = await startKafka();
  try {
    const file = await FileEventLog.open(join(dir, 'file'));
    await run('warm-up file', file, 'bench/warm', 2000);
    const fileResult = await run('FileEventLog', file, 'bench/file', events);
    await file.close();

    const klog = await KafkaEventLog.open({ brokers: kafka.brokers, outboxDir: join(dir, 'outbox'), partitions: 6, maxPendingEvents: events * 2 });
    await run('warm-up kafka', klog, 'bench/warm', 2000, () => klog.flush(120_000));
    const kafkaResult = await run('KafkaEventLog', klog, 'bench/kafka', events, () => klog.flush(300_000));
    await klog.close();

    const rows = [fileResult, kafkaResult];
    console.log(`events=${events} concurrency=${concurrency} node=${process.version}`);
    console.log('| log | appended (durable) events/s | published to Kafka events/s | append p50 µs | p99 µs | max µs |');
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) {
      console.log(`| ${r.name} | ${r.appendedPerSec} | ${r.publishedPerSec ?? '—'} | ${r.p50us} | ${r.p99us} | ${r.maxUs} |`);
    }
    const ratio = (kafkaResult.publishedPerSec ?? 0) / fileResult.appendedPerSec;
    console.log(`ratio Kafka (published) / FileEventLog (appended): ${ratio.toFixed(2)}`);
  } finally {
    await kafka.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
