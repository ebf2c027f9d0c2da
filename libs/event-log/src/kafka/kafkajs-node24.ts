import { createRequire } from 'node:module';

/** The fields of kafkajs' internal request queue that `scheduleCheckPendingRequests` uses. */
interface RequestQueueLike {
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  pending: unknown[];
  checkPendingRequests(): void;
}

const PENDING_CHECK_INTERVAL_MS = 10;

/**
 * kafkajs 2.2.4 (its last release) re-checks its request queue with `setTimeout(fn,
 * throttledUntil - now)` even when nothing is throttled, a negative delay: Node has always run
 * those after 1 ms, and Node 24 also prints a TimeoutNegativeWarning on the stderr of every
 * process that talks to Kafka. This replaces that one method with the same schedule and a delay
 * of at least 1 ms, once per process; it leaves kafkajs alone when its queue is not the one
 * described here.
 */
export function fixKafkaJsNegativeTimeouts(): boolean {
  const require = createRequire(import.meta.url);
  let queue: { prototype: Partial<RequestQueueLike> & { scheduleCheckPendingRequests?: unknown; infermeshPatched?: boolean } };
  try {
    queue = require('kafkajs/src/network/requestQueue/index.js') as typeof queue;
  } catch {
    return false;
  }
  const proto = queue.prototype;
  if (proto.infermeshPatched === true) return true;
  if (typeof proto.scheduleCheckPendingRequests !== 'function' || typeof proto.checkPendingRequests !== 'function') return false;
  proto.scheduleCheckPendingRequests = function (this: RequestQueueLike): void {
    if (this.throttleCheckTimeoutId) return;
    let delay = this.throttledUntil - Date.now();
    if (this.pending.length > 0 && delay <= 0) delay = PENDING_CHECK_INTERVAL_MS;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, Math.max(1, delay));
  };
  proto.infermeshPatched = true;
  return true;
}

fixKafkaJsNegativeTimeouts();
