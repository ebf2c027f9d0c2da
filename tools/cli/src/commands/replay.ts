import { replayLedger, defaultBillingOptions, type LedgerDigest } from '@infermesh/billing';
import { FileEventLog, verifyLog } from '@infermesh/event-log';
import { billing } from '@infermesh/proto';
import { createClient } from '@infermesh/rpc';

export interface ReplayFlags {
  log: string;
  billing?: string;
  adminToken?: string;
  waitMs: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * `infermesh replay`: verifies the log's hash chains, rebuilds the billing ledger from the log
 * into an empty store, and (with --billing) compares it with the live ledger. Exit code 0 only
 * when the chains verify and the ledgers are equal.
 */
export async function replayCommand(flags: ReplayFlags): Promise<number> {
  const log = await FileEventLog.open(flags.log, { readOnly: true });
  try {
    const records = [];
    if (log.startOffset() > 0n) {
      process.stdout.write(`note: this log starts at offset ${log.startOffset()} (an outbox whose published prefix was deleted); the earlier events are in Kafka\n`);
    }
    for (let offset = log.startOffset(); ; ) {
      const batch = await log.read(offset, 10_000);
      if (batch.records.length === 0) break;
      records.push(...batch.records);
      offset = batch.nextOffset;
    }
    const verified = verifyLog(records);
    process.stdout.write(`event log: ${records.length} events; hash chains ${verified.ok ? 'verified' : 'BROKEN'} (${verified.producers.map((p) => `${p.name}: ${p.count}`).join(', ')})\n`);
    for (const p of verified.problems.slice(0, 20)) process.stdout.write(`  problem: ${p}\n`);

    const priceBook = defaultBillingOptions().priceBook;
    if (flags.billing === undefined) {
      const replayed = await replayLedger(log, { priceBook });
      process.stdout.write(`replayed ledger: ${replayed.lines} lines, total ${replayed.totalAmountMicros} micro-units, sha256 ${hex(replayed.sha256)}\n`);
      return verified.ok ? 0 : 1;
    }

    // Compare at the live ledger's position: wait (bounded) for it to consume the whole log, then
    // replay exactly the prefix it has consumed, so a running mesh does not make the two drift.
    const client = createClient(billing.Billing, flags.billing, { name: 'billing' });
    try {
      const end = BigInt(records.length);
      const auth = { headers: { authorization: `Bearer ${flags.adminToken ?? ''}` } };
      const deadline = Date.now() + flags.waitMs;
      let live = await client.getLedgerDigest({}, auth);
      // A billing fed from Kafka reports positions per topic-partition, not offsets of this log (an
      // ingress outbox): replay the whole log and wait (bounded) for the live ledger to equal it.
      const fromKafka = live.positions.some((p) => p.source !== 'log');
      const same = (a: LedgerDigest, b: LedgerDigest) => a.lines === b.lines && a.totalAmountMicros === b.totalAmountMicros && hex(a.sha256) === hex(b.sha256);
      let replayed: LedgerDigest;
      if (fromKafka) {
        replayed = await replayLedger(log, { priceBook });
        while (!same(live, replayed) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 200));
          live = await client.getLedgerDigest({}, auth);
        }
        process.stdout.write(`replayed ledger: ${replayed.lines} lines, total ${replayed.totalAmountMicros} micro-units, sha256 ${hex(replayed.sha256)} (the whole log, ${end} events)\n`);
        process.stdout.write(`live ledger:     ${live.lines} lines, total ${live.totalAmountMicros} micro-units, sha256 ${hex(live.sha256)} (from Kafka: ${live.positions.map((p) => `${p.source}@${p.nextOffset}`).join(' ')})\n`);
      } else {
        while (live.consumedOffset < end && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 100));
          live = await client.getLedgerDigest({}, auth);
        }
        replayed = await replayLedger(log, { priceBook, untilOffset: live.consumedOffset });
        process.stdout.write(`replayed ledger: ${replayed.lines} lines, total ${replayed.totalAmountMicros} micro-units, sha256 ${hex(replayed.sha256)} (offsets 0..${live.consumedOffset})\n`);
        process.stdout.write(`live ledger:     ${live.lines} lines, total ${live.totalAmountMicros} micro-units, sha256 ${hex(live.sha256)} (consumed ${live.consumedOffset}/${end})\n`);
      }
      const equal = same(live, replayed);
      process.stdout.write(equal ? 'REPLAY MATCHES: the live ledger equals the replay of the log\n' : 'REPLAY DIFFERS: the live ledger does not equal the replay of the log\n');
      return equal && verified.ok ? 0 : 1;
    } finally {
      client.close();
    }
  } finally {
    await log.close();
  }
}
