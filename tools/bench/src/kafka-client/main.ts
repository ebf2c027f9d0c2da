/**
 * kafkajs against @confluentinc/kafka-javascript (librdkafka), same records, same broker, same run.
 *
 *   bash tools/bench/src/kafka-client/install-confluent.sh     # once: builds the client into .tools/
 *   npx tsc -b tools/bench && node tools/bench/dist/kafka-client/main.js [--records 20000] [--batch 500] [--singles 1000] [--rounds 2]
 *
 * One single-node KRaft broker from tools/infra; topics with 6 partitions (KafkaEventLog's default),
 * created before timing. Each round runs both clients one after the other, the order alternating
 * between rounds, so a load change on this shared machine hits both; the ratio is taken per round.
 * Prints a JSON report (per round and the geometric mean of the ratios) on stdout.
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startKafka } from '@infermesh/infra';
import { Kafka, logLevel } from 'kafkajs';
import { confluentClient, kafkajsClient, type BenchClient } from './clients.js';
import { runRound, usageRecords, type ClientRound } from './workload.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '500' },
    singles: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '2' },
  },
});
const records = Number(values.records);
const batch = Number(values.batch);
const singles = Number(values.singles);
const rounds = Number(values.rounds);

const geomean = (xs: number[]): number => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const round2 = (x: number): number => Math.round(x * 100) / 100;

async function main(): Promise<void> {
  const kafka = await startKafka();
  try {
    const confluent = confluentClient(kafka.brokers);
    if (confluent instanceof Error) throw confluent;
    const clients: BenchClient[] = [kafkajsClient(kafka.brokers), confluent];
    const messages = await usageRecords(records);
    const bytes = messages.reduce((a, m) => a + m.value.length, 0);
    const admin = new Kafka({ brokers: kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const results: { round: number; load1: number; kafkajs: ClientRound; confluent: ClientRound }[] = [];
    try {
      for (let r = 0; r < rounds; r++) {
        const order = r % 2 === 0 ? clients : [...clients].reverse();
        const byName = new Map<string, ClientRound>();
        for (const c of order) {
          const topics = { relay: `bench.kafka-client.${r}.${c.name}.relay`, pipelined: `bench.kafka-client.${r}.${c.name}.pipelined`, single: `bench.kafka-client.${r}.${c.name}.single` };
          await admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 6 })) });
          byName.set(c.name, await runRound(c, messages, topics, batch, singles));
          process.stderr.write(`round ${r + 1}/${rounds}: ${c.name} done (load ${loadavg()[0]?.toFixed(2)})\n`);
        }
        results.push({ round: r + 1, load1: round2(loadavg()[0] ?? 0), kafkajs: byName.get(clients[0]!.name)!, confluent: byName.get(clients[1]!.name)! });
      }
    } finally {
      await admin.disconnect();
    }
    const ratio = (f: (x: ClientRound) => number): number => round2(geomean(results.map((x) => f(x.confluent) / f(x.kafkajs))));
    const report = {
      machine: { cores: availableParallelism(), loadavg: loadavg().map(round2), note: 'shared with other engineers while measured' },
      clients: Object.fromEntries(clients.map((c) => [c.name, c.version])),
      workload: { records, avgValueBytes: Math.round(bytes / records), batch, singles, rounds, partitions: 6, acks: 'all', idempotent: true },
      rounds: results,
      confluentOverKafkajs: {
        relayMsgsPerSec: ratio((x) => x.relay.msgsPerSec),
        relayBatchP50: ratio((x) => x.relay.batch.p50us),
        pipelinedMsgsPerSec: ratio((x) => x.pipelined.msgsPerSec),
        singleMsgsPerSec: ratio((x) => x.single.msgsPerSec),
        singleP50: ratio((x) => x.single.latency.p50us),
        singleP99: ratio((x) => x.single.latency.p99us),
        consumeMsgsPerSec: ratio((x) => x.consume.msgsPerSec),
      },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await kafka.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`kafka-client bench: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
