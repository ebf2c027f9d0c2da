import type { EventLog, LogRecord } from './event-log.js';

/**
 * Every record of `log` in [fromOffset, untilOffset) in order, read in batches of `batchSize`.
 * `untilOffset` defaults to the end at the time of the call, so a scan of a live log ends.
 */
export async function* scanLog(log: EventLog, fromOffset = 0n, untilOffset = log.endOffset(), batchSize = 1000): AsyncGenerator<LogRecord> {
  let at = fromOffset;
  while (at < untilOffset) {
    const { records, nextOffset } = await log.read(at, Math.min(batchSize, Number(untilOffset - at)));
    if (records.length === 0) return;
    yield* records;
    at = nextOffset;
  }
}
