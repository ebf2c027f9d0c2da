import { performance } from 'node:perf_hooks';
import { MemoryEventLog, Producer, toRecord, type EventDraft } from '@infermesh/event-log';
import * as hdr from 'hdr-histogram-js';
import { usageDraft } from '../event-log/usage-draft.js';
import type { BenchClient, BenchMessage } from './clients.js';

/**
 * `count` sealed usage.recorded envelopes (hash chain, sequence, trace id: what ingress appends) as
 * the Kafka records KafkaEventLog publishes (`toRecord`: key = tenant, value = Envelope bytes,
 * infermesh-* headers and traceparent).
 */
export async function usageRecords(count: number): Promise<BenchMessage[]> {
  const log = new MemoryEventLog();
  const producer = await Producer.open(log, 'ingress/bench');
  const drafts: EventDraft[] = Array.from({ length: count }, (_, i) => usageDraft(i));
  for (let i = 0; i < drafts.length; i += 1000) await producer.append(drafts.slice(i, i + 1000));
  const { records } = await log.read(0n, count);
  await producer.close();
  await log.close();
  return records.map((r) => {
    const rec = toRecord(r.envelope);
    return { key: rec.key, value: rec.value, headers: rec.headers };
  });
}

/** Latency summary in microseconds (hdr-histogram-js, 3 significant digits). */
export interface Percentiles {
  p50us: number;
  p99us: number;
  maxUs: number;
}

function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
}

function summary(h: hdr.Histogram): Percentiles {
  const s = { p50us: h.getValueAtPercentile(50), p99us: h.getValueAtPercentile(99), maxUs: h.maxValue };
  h.destroy();
  return s;
}

export interface ClientRound {
  client: string;
  /** Relay-shaped: batches of `batch` records, each awaited before the next (KafkaEventLog's relay). */
  relay: { msgsPerSec: number; batch: Percentiles };
  /** The same batches with up to `window` sends in flight at once (a pipelining relay). */
  pipelined: { msgsPerSec: number };
  /** One record per awaited send: the acks=all round trip of a single event. */
  single: { msgsPerSec: number; latency: Percentiles };
  /** Consuming the relay topic back from the beginning with a fresh group. */
  consume: { msgsPerSec: number; firstMessageMs: number };
}

/**
 * One client's round on its own topics (created beforehand): `records` produced in batches of
 * `batch` one after the other, then again with `window` batches in flight, then `singles`
 * records one at a time, then the relay topic consumed back. Throughput
 * is messages over wall time of the phase; consumption is timed from the first to the last
 * message (group join reported apart, as `firstMessageMs`).
 */
export async function runRound(client: BenchClient, records: BenchMessage[], topics: { relay: string; pipelined: string; single: string }, batch: number, singles: number, window = 8): Promise<ClientRound> {
  const producer = await client.producer();
  try {
    await producer.send(topics.single, records.slice(0, 10));
    const hb = histogram();
    const t0 = performance.now();
    for (let i = 0; i < records.length; i += batch) {
      const s = performance.now();
      await producer.send(topics.relay, records.slice(i, i + batch));
      hb.recordValue(Math.max(1, Math.round((performance.now() - s) * 1000)));
    }
    const relayMs = performance.now() - t0;
    const tp = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: window }, async () => {
      for (let i = next; i < records.length; i = next) {
        next += batch;
        await producer.send(topics.pipelined, records.slice(i, i + batch));
      }
    }));
    const pipelinedMs = performance.now() - tp;
    const hs = histogram();
    const t1 = performance.now();
    for (let i = 0; i < singles; i++) {
      const s = performance.now();
      await producer.send(topics.single, [records[i % records.length]!]);
      hs.recordValue(Math.max(1, Math.round((performance.now() - s) * 1000)));
    }
    const singleMs = performance.now() - t1;
    await producer.disconnect();
    const c = await client.consume(topics.relay, records.length);
    return {
      client: client.name,
      relay: { msgsPerSec: Math.round((records.length / relayMs) * 1000), batch: summary(hb) },
      pipelined: { msgsPerSec: Math.round((records.length / pipelinedMs) * 1000) },
      single: { msgsPerSec: Math.round((singles / singleMs) * 1000), latency: summary(hs) },
      consume: { msgsPerSec: Math.round((records.length / Math.max(1, c.lastMs - c.firstMs)) * 1000), firstMessageMs: Math.round(c.firstMs) },
    };
  } catch (err) {
    await producer.disconnect().catch(() => {});
    throw err;
  }
}
