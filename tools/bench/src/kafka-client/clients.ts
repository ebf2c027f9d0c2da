import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';

/** Repository root (this file is tools/bench/{src,dist}/kafka-client/). */
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** Where install-confluent.sh builds @confluentinc/kafka-javascript (outside the workspace). */
export const CONFLUENT_PKG = join(REPO_ROOT, '.tools', 'confluent-kafka', 'node_modules', '@confluentinc', 'kafka-javascript');

/** One record as KafkaEventLog sends it (`toRecord`): key, value and string headers. */
export interface BenchMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** What the benchmark needs of a producer: resolve once the broker acknowledged every message (acks=all). */
export interface BenchProducer {
  send(topic: string, messages: BenchMessage[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** A Kafka client behind the same narrow shape the event-log port uses (KafkaJS-style API). */
export interface BenchClient {
  readonly name: string;
  readonly version: string;
  /** An idempotent producer with acks=all, connected. */
  producer(): Promise<BenchProducer>;
  /**
   * Reads `topic` from the beginning with a fresh group until `count` messages arrived. Times in
   * ms from `run()`: `firstMs` until the first message (connect + group join + first fetch) and
   * `lastMs` until the last one.
   */
  consume(topic: string, count: number): Promise<{ firstMs: number; lastMs: number }>;
}

interface ConsumerLike {
  connect(): Promise<void>;
  subscribe(s: { topics: string[]; fromBeginning?: boolean }): Promise<void>;
  run(r: { eachBatch: (p: { batch: { messages: unknown[] } }) => Promise<void> }): Promise<void>;
  disconnect(): Promise<void>;
}

function consumeUntil(consumer: ConsumerLike, topic: string, count: number, fromBeginningOnSubscribe: boolean): Promise<{ firstMs: number; lastMs: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let seen = 0;
    let firstMs = 0;
    const timer = setTimeout(() => reject(new Error(`consumed ${seen}/${count} of ${topic} in 120 s`)), 120_000);
    const start = async (): Promise<void> => {
      await consumer.connect();
      await consumer.subscribe(fromBeginningOnSubscribe ? { topics: [topic], fromBeginning: true } : { topics: [topic] });
      await consumer.run({
        eachBatch: async ({ batch }) => {
          if (seen === 0) firstMs = performance.now() - t0;
          seen += batch.messages.length;
          if (seen >= count) {
            clearTimeout(timer);
            resolve({ firstMs, lastMs: performance.now() - t0 });
          }
        },
      });
    };
    start().catch((err: unknown) => {
      clearTimeout(timer);
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  }).finally(() => consumer.disconnect().catch(() => {})) as Promise<{ firstMs: number; lastMs: number }>;
}

/** kafkajs configured as KafkaEventLog configures it: idempotent, one request in flight, acks=-1. */
export function kafkajsClient(brokers: string[]): BenchClient {
  const require = createRequire(import.meta.url);
  const version = (require('kafkajs/package.json') as { version: string }).version;
  const kafka = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING });
  return {
    name: 'kafkajs',
    version,
    async producer() {
      const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await p.connect();
      return {
        send: async (topic, messages) => void (await p.send({ topic, acks: -1, messages })),
        disconnect: () => p.disconnect(),
      };
    },
    consume(topic, count) {
      const c = kafka.consumer({ groupId: `bench-${topic}`, allowAutoTopicCreation: false });
      return consumeUntil(c as unknown as ConsumerLike, topic, count, true);
    },
  };
}

interface ConfluentModule {
  librdkafkaVersion: string;
  KafkaJS: {
    Kafka: new (config: Record<string, unknown>) => {
      producer(config: Record<string, unknown>): {
        connect(): Promise<void>;
        send(r: { topic: string; messages: BenchMessage[] }): Promise<unknown>;
        disconnect(): Promise<void>;
      };
      consumer(config: Record<string, unknown>): ConsumerLike;
    };
  };
}

/**
 * @confluentinc/kafka-javascript through its KafkaJS-compatible API (the one a swap behind the
 * port would use), loaded at run time from .tools so nothing in the build depends on it. Producer:
 * idempotent, acks=-1 (librdkafka keeps order with up to 5 requests in flight when idempotent),
 * linger.ms=0 (each awaited send goes out at once, as with kafkajs). Returns an Error saying how
 * to build it when it is not there.
 */
export function confluentClient(brokers: string[]): BenchClient | Error {
  if (!existsSync(join(CONFLUENT_PKG, 'package.json'))) {
    return new Error(`${CONFLUENT_PKG} is missing: run \`bash tools/bench/src/kafka-client/install-confluent.sh\``);
  }
  const require = createRequire(import.meta.url);
  let mod: ConfluentModule;
  try {
    mod = require(CONFLUENT_PKG) as ConfluentModule;
  } catch (err) {
    return new Error(`@confluentinc/kafka-javascript does not load (${err instanceof Error ? err.message : String(err)}): rerun install-confluent.sh`);
  }
  const version = (require(join(CONFLUENT_PKG, 'package.json')) as { version: string }).version;
  const kafka = new mod.KafkaJS.Kafka({ kafkaJS: { clientId: 'bench', brokers, logLevel: 0 } });
  return {
    name: 'confluent-kafka-javascript',
    version: `${version} (librdkafka ${mod.librdkafkaVersion})`,
    async producer() {
      const p = kafka.producer({ 'linger.ms': 0, kafkaJS: { idempotent: true, acks: -1, allowAutoTopicCreation: false } });
      await p.connect();
      return {
        // Copies: its send() replaces each message's `headers` in place with librdkafka's form,
        // so a record sent twice (a relay retry) would fail the second time.
        send: async (topic, messages) => void (await p.send({ topic, messages: messages.map((m) => ({ ...m })) })),
        disconnect: () => p.disconnect(),
      };
    },
    consume(topic, count) {
      const c = kafka.consumer({ kafkaJS: { groupId: `bench-${topic}`, fromBeginning: true, autoCommit: false } });
      return consumeUntil(c, topic, count, false);
    },
  };
}
