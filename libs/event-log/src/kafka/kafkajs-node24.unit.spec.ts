import { afterEach, describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { fixKafkaJsNegativeTimeouts } from './kafkajs-node24.js';

interface Queue {
  throttledUntil: number;
  throttleCheckTimeoutId: unknown;
  pending: unknown[];
  checks: number;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

function queue(throttledUntil: number, pending: unknown[]): Queue {
  const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as { prototype: object };
  const q = Object.create(RequestQueue.prototype) as Queue;
  Object.assign(q, { throttledUntil, throttleCheckTimeoutId: null, pending, checks: 0, checkPendingRequests() { q.checks++; } });
  return q;
}

describe("kafkajs' request-queue check on Node 24", () => {
  const realSetTimeout = globalThis.setTimeout;
  afterEach(() => {
    globalThis.setTimeout = realSetTimeout;
  });

  function recordDelays(): number[] {
    const delays: number[] = [];
    globalThis.setTimeout = ((fn: () => void, ms: number) => {
      delays.push(ms);
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout;
    return delays;
  }

  it('never schedules a negative delay, and still checks the queue', async () => {
    expect(fixKafkaJsNegativeTimeouts()).toBe(true);
    const delays = recordDelays();
    const idle = queue(-1, []); // never throttled, nothing pending: kafkajs computed -1 - Date.now()
    idle.scheduleCheckPendingRequests();
    idle.scheduleCheckPendingRequests(); // one check at a time
    await new Promise((r) => realSetTimeout(r, 30));
    expect(delays).toEqual([1]);
    expect(idle.checks).toBe(1);
    expect(idle.throttleCheckTimeoutId).toBeNull();
  });

  it('keeps the throttle delay and the pending-request interval', () => {
    const delays = recordDelays();
    const throttled = queue(Date.now() + 500, [{}]);
    throttled.scheduleCheckPendingRequests();
    const busy = queue(-1, [{}]);
    busy.scheduleCheckPendingRequests();
    expect(delays[0]).toBeGreaterThan(400);
    expect(delays[0]).toBeLessThanOrEqual(500);
    expect(delays[1]).toBe(10);
    clearTimeout(throttled.throttleCheckTimeoutId as ReturnType<typeof setTimeout>);
    clearTimeout(busy.throttleCheckTimeoutId as ReturnType<typeof setTimeout>);
  });
});
