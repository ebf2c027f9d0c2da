import { ENVELOPE_TOPIC_CONFIG, KafkaTopics } from '@infermesh/event-log';
import { Kafka, logLevel } from 'kafkajs';
import type { BillingKafkaOptions } from './options.js';

/** The kafkajs client billing uses: quiet (errors reach our logger), short timeouts, bounded retries. */
export function kafkaClient(o: Pick<BillingKafkaOptions, 'brokers' | 'clientId'>): Kafka {
  return new Kafka({
    clientId: o.clientId,
    brokers: o.brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
  });
}

/** Creates the usage and rated-usage topics with `partitions` and the mesh's topic settings when missing (existing ones are left alone). */
export async function ensureTopics(kafka: Kafka, partitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ waitForLeaders: true, topics: [KafkaTopics.usage, KafkaTopics.ratedUsage].map((topic) => ({ topic, numPartitions: partitions, configEntries: [...ENVELOPE_TOPIC_CONFIG] })) });
  } finally {
    await admin.disconnect();
  }
}
