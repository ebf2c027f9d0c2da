import { createHash } from 'node:crypto';
import { toBinary } from '@bufbuild/protobuf';
import { invalidArgument } from '@infermesh/errors';
import { events } from '@infermesh/proto';
import type { Envelope } from '../event-log.js';

/**
 * The Kafka topics of the mesh. The `.v1` suffix is the envelope contract's major version: a
 * breaking change to `infermesh.events.v1.Envelope` gets new topics, never new bytes on old ones.
 * Every record's value is one serialized `Envelope`; its key decides the partition (Kafka's
 * murmur2 partitioner, the same in Java, librdkafka and kafkajs).
 */
export const KafkaTopics = {
  /** `request.*` events; key = request id, so one request's events stay in order. */
  requestLifecycle: 'infermesh.request-lifecycle.v1',
  /** `usage.recorded`; key = tenant id, so one tenant's usage is in one partition, in order. */
  usage: 'infermesh.usage.v1',
  /** `usage.rated` (billing's output for billing consumers); key = tenant id. */
  ratedUsage: 'infermesh.rated-usage.v1',
  /** `fleet.*` changes; key = producer, so one supervisor's changes stay in order. */
  fleet: 'infermesh.fleet.v1',
} as const;

export type KafkaTopic = (typeof KafkaTopics)[keyof typeof KafkaTopics];

/**
 * Settings of the envelope topics. Retention is unlimited: billing rebuilds its ledger and audit
 * verifies hash chains by reading a topic from its first record, so the broker's default of seven
 * days would silently cut both short. Operators who need a bound should move old segments to
 * tiered storage rather than delete them.
 */
export const ENVELOPE_TOPIC_CONFIG: readonly { name: string; value: string }[] = [
  { name: 'retention.ms', value: '-1' },
  { name: 'retention.bytes', value: '-1' },
  { name: 'cleanup.policy', value: 'delete' },
];

/** Where an envelope goes. Throws INVALID_ARGUMENT for a type no topic carries. */
export function routeEnvelope(env: Envelope): { topic: KafkaTopic; key: string } {
  const t = env.type;
  if (t.startsWith('request.')) return { topic: KafkaTopics.requestLifecycle, key: env.requestId };
  if (t === 'usage.recorded') return { topic: KafkaTopics.usage, key: env.tenantId };
  if (t === 'usage.rated') return { topic: KafkaTopics.ratedUsage, key: env.tenantId };
  if (t.startsWith('fleet.')) return { topic: KafkaTopics.fleet, key: env.producer };
  throw invalidArgument(`event type "${t}" has no Kafka topic (see KafkaTopics)`, 'type');
}

/** The Kafka record of an envelope: value, key and headers (strings, UTF-8). */
export interface EnvelopeRecord {
  topic: KafkaTopic;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/**
 * Headers let consumers route, dedupe and trace without decoding the value:
 * `infermesh-event-id` (the dedupe key), `-event-type`, `-schema-version`, `-producer`,
 * `-sequence`, `content-type`, and W3C `traceparent` when the envelope has a trace id (the
 * parent span id is derived from the event id: stable across re-publication).
 */
export function toRecord(env: Envelope): EnvelopeRecord {
  const { topic, key } = routeEnvelope(env);
  const headers: Record<string, string> = {
    'infermesh-event-id': env.id,
    'infermesh-event-type': env.type,
    'infermesh-schema-version': String(env.schemaVersion),
    'infermesh-producer': env.producer,
    'infermesh-sequence': env.sequence.toString(),
    'content-type': 'application/x-protobuf; messageType=infermesh.events.v1.Envelope',
  };
  if (/^[0-9a-f]{32}$/.test(env.traceId) && !/^0+$/.test(env.traceId)) {
    const span = createHash('sha256').update(env.id).digest('hex').slice(0, 16);
    headers['traceparent'] = `00-${env.traceId}-${span === '0000000000000000' ? '0000000000000001' : span}-01`;
  }
  return { topic, key, value: Buffer.from(toBinary(events.EnvelopeSchema, env)), headers };
}
