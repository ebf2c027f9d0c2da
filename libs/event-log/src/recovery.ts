import type { EventLog } from './event-log.js';

/** How far back one scan step goes when looking for a producer's last envelope. */
const STEP = 1024n;

/**
 * The sequence and hash of the last envelope `producer` stored in `log`, or undefined if it
 * never wrote. Scans backwards from the end in steps, so a producer restarted shortly after it
 * stopped finds its head quickly; a name that never wrote costs one full scan.
 */
export async function findLastOf(log: EventLog, producer: string): Promise<{ sequence: bigint; hash: Uint8Array } | undefined> {
  let end = log.endOffset();
  const first = log.startOffset();
  while (end > first) {
    const start = end - first > STEP ? end - STEP : first;
    let found: { sequence: bigint; hash: Uint8Array } | undefined;
    for (let at = start; at < end; ) {
      const { records, nextOffset } = await log.read(at, Number(end - at));
      if (records.length === 0) break;
      for (const r of records) {
        if (r.offset < end && r.envelope.producer === producer) found = { sequence: r.envelope.sequence, hash: r.envelope.hash };
      }
      at = nextOffset;
    }
    if (found !== undefined) return found;
    end = start;
  }
  return undefined;
}
