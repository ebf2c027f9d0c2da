/**
 * A process that appends events through a `KafkaEventLog` at a steady pace, for the crash tests
 * (kafka-exactly-once.int.spec.ts SIGKILLs it at random moments and restarts it on the same
 * outbox). Not used in production.
 *
 * Environment: INFERMESH_KAFKA_BROKERS (comma-separated), OUTBOX_DIR, PRODUCER (producer name),
 * TOTAL (the producer's last sequence to reach, across restarts), PACE_MS (pause between
 * appends), RELAY_BATCH (records per Kafka transaction).
 * Stdout, one line each: `ready <last sequence>` once open, `relayed <n>` after each committed
 * batch, `done` after everything up to TOTAL is appended and committed (then it exits 0).
 * Event s (the producer's sequence, from 1) is, by s mod 3: request.accepted, usage.recorded,
 * request.completed of request `req-<floor((s-1)/3)>`, so each request spans two topics.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventDraft } from '../event-log.js';
import { Producer } from '../producer.js';
import { KafkaEventLog } from './kafka-event-log.js';

function env(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new Error(`${name} is not set`);
  return v;
}

/** The draft that becomes event `sequence` of the producer. */
export function writerDraft(sequence: bigint): EventDraft {
  const r = (sequence - 1n) / 3n;
  const requestId = `req-${r}`;
  const tenantId = `tenant-${r % 5n}`;
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  switch ((sequence - 1n) % 3n) {
    case 0n:
      return { tenantId, requestId, traceId, payload: { case: 'requestAccepted', value: { model: 'qwen3-8b' } } };
    case 1n:
      return {
        tenantId,
        requestId,
        traceId,
        payload: { case: 'usageRecorded', value: { model: 'qwen3-8b', usage: { promptTokens: 100 + Number(r % 50n), completionTokens: 10 }, workerId: 'w0' } },
      };
    default:
      return { tenantId, requestId, traceId, payload: { case: 'requestCompleted', value: {} } };
  }
}

async function main(): Promise<void> {
  const total = BigInt(env('TOTAL'));
  const paceMs = Number(env('PACE_MS'));
  const log = await KafkaEventLog.open({
    brokers: env('INFERMESH_KAFKA_BROKERS').split(','),
    outboxDir: env('OUTBOX_DIR'),
    partitions: 3,
    relayBatch: Number(env('RELAY_BATCH')),
    maxPendingEvents: 1_000_000,
    onRelaySuccess: (n) => process.stdout.write(`relayed ${n}\n`),
  });
  const producer = await Producer.open(log, env('PRODUCER'));
  process.stdout.write(`ready ${producer.lastSequence()}\n`);
  while (producer.lastSequence() < total) {
    await producer.append([writerDraft(producer.lastSequence() + 1n)]);
    await sleep(paceMs);
  }
  while (!(await log.flush(10_000))) process.stdout.write('flush pending\n');
  await producer.close();
  await log.close();
  process.stdout.write('done\n');
}

await main();
