import { describe, expect, it } from '@jest/globals';
import { clone } from '@bufbuild/protobuf';
import { events } from '@infermesh/proto';
import { isValid } from 'ulid';
import { GENESIS_HASH, envelopeHash } from './hash-chain.js';
import { MemoryEventLog } from './memory-event-log.js';
import { Producer } from './producer.js';
import { scanLog } from './scan.js';
import { usageDraft } from './test-fixtures.spec.js';
import { verifyLog } from './verify.js';
import type { LogRecord } from './event-log.js';

async function all(log: MemoryEventLog): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of scanLog(log)) out.push(r);
  return out;
}

describe('Producer', () => {
  it('seals drafts with id, type, time, schema version, sequence and the hash chain', async () => {
    const log = new MemoryEventLog();
    const p = await Producer.open(log, 'ingress/ab12', { now: () => 1_700_000_000_123 });
    const [a, b] = await p.append([usageDraft(1), usageDraft(2)]);
    expect(a!.offset).toBe(0n);
    expect(b!.offset).toBe(1n);
    const ea = a!.envelope;
    expect(isValid(ea.id)).toBe(true);
    expect(ea.id < b!.envelope.id).toBe(true);
    expect(ea.type).toBe('usage.recorded');
    expect(ea.schemaVersion).toBe(1);
    expect(ea.producer).toBe('ingress/ab12');
    expect(ea.time?.seconds).toBe(1_700_000_000n);
    expect(ea.time?.nanos).toBe(123_000_000);
    expect([ea.sequence, b!.envelope.sequence]).toEqual([1n, 2n]);
    expect(Buffer.from(ea.prevHash)).toEqual(Buffer.from(GENESIS_HASH));
    expect(Buffer.from(b!.envelope.prevHash)).toEqual(Buffer.from(ea.hash));
    expect(Buffer.from(envelopeHash(ea))).toEqual(Buffer.from(ea.hash));
  });

  it('keeps sequence order equal to log order under concurrent appends, batching them', async () => {
    const log = new MemoryEventLog();
    let appendCalls = 0;
    const inner = log.append.bind(log);
    log.append = (envs) => { appendCalls++; return inner(envs); };
    const p = await Producer.open(log, 'ingress/c0');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => p.append([usageDraft(i)])));
    expect(results.map((r) => r[0]!.envelope.requestId)).toEqual(Array.from({ length: 50 }, (_, i) => `req-${i}`));
    expect(appendCalls).toBeLessThan(50);
    const records = await all(log);
    expect(records.map((r) => r.envelope.sequence)).toEqual(Array.from({ length: 50 }, (_, i) => BigInt(i + 1)));
    expect(verifyLog(records)).toMatchObject({ ok: true, producers: [{ name: 'ingress/c0', count: 50 }] });
  });

  it('continues sequence and chain after a restart on the same log', async () => {
    const log = new MemoryEventLog();
    const first = await Producer.open(log, 'ingress/r1');
    await first.append([usageDraft(1), usageDraft(2)]);
    const other = await Producer.open(log, 'billing/x');
    await other.append([usageDraft(3)]);
    await first.close();
    const again = await Producer.open(log, 'ingress/r1');
    expect(again.lastSequence()).toBe(2n);
    const [r] = await again.append([usageDraft(4)]);
    expect(r!.envelope.sequence).toBe(3n);
    expect(verifyLog(await all(log)).ok).toBe(true);
  });

  it('refuses a second live producer with the same name on one log', async () => {
    const log = new MemoryEventLog();
    await Producer.open(log, 'ingress/dup');
    await expect(Producer.open(log, 'ingress/dup')).rejects.toMatchObject({ code: 9 });
  });

  it('re-reads its chain head after a failed append so the chain has no gap', async () => {
    const log = new MemoryEventLog();
    const p = await Producer.open(log, 'ingress/f1');
    await p.append([usageDraft(1)]);
    const inner = log.append.bind(log);
    log.append = () => Promise.reject(new Error('disk full'));
    await expect(p.append([usageDraft(2)])).rejects.toThrow('disk full');
    log.append = inner;
    const [r] = await p.append([usageDraft(3)]);
    expect(r!.envelope.sequence).toBe(2n);
    expect(verifyLog(await all(log)).ok).toBe(true);
  });
});

describe('verifyLog', () => {
  async function sealed(n: number): Promise<LogRecord[]> {
    const log = new MemoryEventLog();
    const a = await Producer.open(log, 'ingress/a');
    const b = await Producer.open(log, 'ingress/b');
    for (let i = 0; i < n; i++) await (i % 3 === 0 ? b : a).append([usageDraft(i)]);
    return all(log);
  }
  const renumber = (rs: LogRecord[]): LogRecord[] => rs.map((r, i) => ({ offset: BigInt(i), envelope: r.envelope }));

  it('accepts an untouched log and counts per producer', async () => {
    const res = verifyLog(await sealed(9));
    expect(res).toEqual({ ok: true, problems: [], producers: [expect.objectContaining({ name: 'ingress/a', count: 6 }), expect.objectContaining({ name: 'ingress/b', count: 3 })] });
  });

  it('catches an edited envelope', async () => {
    const rs = await sealed(9);
    const edited = clone(events.EnvelopeSchema, rs[4]!.envelope);
    if (edited.payload.case !== 'usageRecorded') throw new Error('fixture');
    edited.payload.value.usage!.completionTokens = 1;
    rs[4] = { offset: 4n, envelope: edited };
    const res = verifyLog(rs);
    expect(res.ok).toBe(false);
    expect(res.problems).toEqual([expect.stringMatching(/^offset 4 .*edited/)]);
  });

  it('catches an edited envelope whose hash was recomputed (the next link breaks)', async () => {
    const rs = await sealed(9);
    const edited = clone(events.EnvelopeSchema, rs[4]!.envelope);
    edited.tenantId = 'someone-else';
    edited.hash = envelopeHash(edited);
    rs[4] = { offset: 4n, envelope: edited };
    expect(verifyLog(rs).problems).toEqual([expect.stringMatching(/chain broken/)]);
  });

  it('catches a dropped envelope', async () => {
    const rs = await sealed(9);
    rs.splice(4, 1);
    expect(verifyLog(renumber(rs)).problems).toEqual([expect.stringMatching(/1 envelope\(s\) dropped/)]);
  });

  it('catches a reordered pair', async () => {
    const rs = await sealed(9);
    [rs[4], rs[5]] = [rs[5]!, rs[4]!];
    const res = verifyLog(renumber(rs));
    expect(res.ok).toBe(false);
    expect(res.problems.some((p) => p.includes('reordered'))).toBe(true);
  });

  it('catches a duplicated envelope', async () => {
    const rs = await sealed(9);
    rs.splice(6, 0, rs[2]!);
    expect(verifyLog(renumber(rs)).problems).toEqual([expect.stringMatching(/duplicate of the envelope at offset 2/)]);
  });
});
