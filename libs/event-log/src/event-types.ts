import type { EventPayload } from './event-log.js';

/** Payload case (generated localName) of every event type. */
export type EventCase = EventPayload['case'];

/**
 * The dotted `type` of each payload case. An explicit table rather than a string transform, so a
 * renamed field in the proto cannot silently rename an event type that consumers filter on.
 */
export const EVENT_TYPES: Readonly<Record<EventCase, string>> = {
  requestAccepted: 'request.accepted',
  requestRejected: 'request.rejected',
  requestTokenized: 'request.tokenized',
  requestQueued: 'request.queued',
  requestScheduled: 'request.scheduled',
  firstToken: 'request.first_token',
  requestCompleted: 'request.completed',
  requestFailed: 'request.failed',
  requestCancelled: 'request.cancelled',
  usageRecorded: 'usage.recorded',
  usageRated: 'usage.rated',
  fleetChanged: 'fleet.changed',
};

/** The dotted type name of a payload case, e.g. `usageRecorded` -> "usage.recorded". */
export function eventTypeOf(payloadCase: EventCase): string {
  return EVENT_TYPES[payloadCase];
}

/** The schema version producers of this code write into every envelope. */
export const SCHEMA_VERSION = 1;
