import { defaultBillingOptions, replayLedgerFromKafka, type LedgerDigest } from '@infermesh/billing';
import { KafkaTopics, readTopics, verifyLog, type Envelope, type LogRecord } from '@infermesh/event-log';
import { billing } from '@infermesh/proto';
import { createClient } from '@infermesh/rpc';

export interface KafkaReplayFlags {
  brokers: string[];
  billing?: string;
  adminToken?: string;
  waitMs: number;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const same = (a: Pick<LedgerDigest, 'lines' | 'totalAmountMicros' | 'sha256'>, b: Pick<LedgerDigest, 'lines' | 'totalAmountMicros' | 'sha256'>) =>
  a.lines === b.lines && a.totalAmountMicros === b.totalAmountMicros && hex(a.sha256) === hex(b.sha256);

/**
 * The audit view of every producer's events on Kafka: the mesh's topics read from their first
 * record up to their ends at the start, re-published copies (same envelope id, identical bytes:
 * publication is at least once) collapsed, and each producer's envelopes in sequence order, which
 * is the order its hash chain was sealed in (a chain spans topics).
 */
export async function auditRecords(brokers: string[]): Promise<{ records: LogRecord[]; read: number; republished: number }> {
  const byId = new Map<string, Envelope>();
  let read = 0;
  for await (const r of readTopics(brokers, Object.values(KafkaTopics), { clientId: 'infermesh-audit' })) {
    read++;
    if (!byId.has(r.envelope.id)) byId.set(r.envelope.id, r.envelope);
  }
  const envelopes = [...byId.values()].sort((a, b) => (a.producer < b.producer ? -1 : a.producer > b.producer ? 1 : a.sequence < b.sequence ? -1 : a.sequence > b.sequence ? 1 : 0));
  return { records: envelopes.map((envelope, i) => ({ offset: BigInt(i), envelope })), read, republished: read - byId.size };
}

/**
 * `infermesh replay --kafka`: verifies every producer's hash chain across the Kafka topics,
 * rebuilds the ledger from the usage topic into an empty store, and (with --billing) waits,
 * bounded, for the live ledger to equal it. Exit code 0 only when both hold.
 */
export async function replayKafkaCommand(flags: KafkaReplayFlags): Promise<number> {
  const { records, read, republished } = await auditRecords(flags.brokers);
  const verified = verifyLog(records);
  process.stdout.write(`kafka: ${read} records, ${republished} re-published copies collapsed; hash chains ${verified.ok ? 'verified' : 'BROKEN'} (${verified.producers.map((p) => `${p.name}: ${p.count}`).join(', ')})\n`);
  for (const p of verified.problems.slice(0, 20)) process.stdout.write(`  problem: ${p}\n`);
  const replayed = await replayLedgerFromKafka(flags.brokers, { priceBook: defaultBillingOptions().priceBook });
  process.stdout.write(`replayed ledger: ${replayed.lines} lines, total ${replayed.totalAmountMicros} micro-units, sha256 ${hex(replayed.sha256)} (${KafkaTopics.usage})\n`);
  if (flags.billing === undefined) return verified.ok ? 0 : 1;
  const client = createClient(billing.Billing, flags.billing, { name: 'billing' });
  try {
    const auth = { headers: { authorization: `Bearer ${flags.adminToken ?? ''}` } };
    const deadline = Date.now() + flags.waitMs;
    let live = await client.getLedgerDigest({}, auth);
    while (!same(live, replayed) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      live = await client.getLedgerDigest({}, auth);
    }
    process.stdout.write(`live ledger:     ${live.lines} lines, total ${live.totalAmountMicros} micro-units, sha256 ${hex(live.sha256)}\n`);
    const equal = same(live, replayed);
    process.stdout.write(equal ? 'REPLAY MATCHES: the live ledger equals the replay of the usage topic\n' : 'REPLAY DIFFERS: the live ledger does not equal the replay of the usage topic\n');
    return equal && verified.ok ? 0 : 1;
  } finally {
    client.close();
  }
}
