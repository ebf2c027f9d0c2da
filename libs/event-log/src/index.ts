/**
 * @infermesh/event-log: the event-log port, envelope sealing (`Producer`), hash-chain
 * verification (`verifyLog`) and the embedded implementations. Files not exported here
 * (framing, segments, waiters, locks) are internal.
 */
export type { Envelope, EventDraft, EventLog, EventPayload, LogRecord } from './event-log.js';
export { EVENT_TYPES, eventTypeOf, SCHEMA_VERSION, type EventCase } from './event-types.js';
export { envelopeHash, GENESIS_HASH, HASH_BYTES } from './hash-chain.js';
export { Producer, type ProducerOptions } from './producer.js';
export { scanLog } from './scan.js';
export { verifyLog, type ProducerSummary, type VerifyResult } from './verify.js';
export { MemoryEventLog } from './memory-event-log.js';
export { FileEventLog, defaultFileEventLogOptions, type FileEventLogOptions, type FileEventLogStats } from './file-event-log.js';
export { KafkaEventLog, defaultKafkaEventLogOptions, type KafkaEventLogOptions } from './kafka/kafka-event-log.js';
export { OUTBOX_CURSOR_TOPIC } from './kafka/cursor-topic.js';
export { KafkaTopics, ENVELOPE_TOPIC_CONFIG, routeEnvelope, toRecord, type KafkaTopic, type EnvelopeRecord } from './kafka/topics.js';
export { readTopics, highWaterMarks, startConsumer, defaultReadTopicsOptions, type ReadTopicsOptions, type TopicRecord } from './kafka/topic-reader.js';
