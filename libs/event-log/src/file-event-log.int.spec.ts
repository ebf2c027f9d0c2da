import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { appendFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { events } from '@infermesh/proto';
import { FileEventLog } from './file-event-log.js';
import { encodeFrame, FRAME_HEADER_BYTES } from './framing.js';
import { Producer } from './producer.js';
import { scanLog } from './scan.js';
import { usageDraft } from './test-fixtures.spec.js';
import { verifyLog } from './verify.js';
import type { LogRecord } from './event-log.js';

let root: string;
let n = 0;
const freshDir = (): string => join(root, `log-${n++}`);
beforeAll(async () => { root = await mkdtemp(join(tmpdir(), 'event-log-')); });
afterAll(async () => { await rm(root, { recursive: true, force: true }); });

async function all(log: FileEventLog): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const r of scanLog(log, 0n, log.endOffset(), 7)) out.push(r);
  return out;
}

async function writeEvents(dir: string, count: number, options = {}): Promise<void> {
  const log = await FileEventLog.open(dir, options);
  const p = await Producer.open(log, 'ingress/t1');
  for (let i = 0; i < count; i++) await p.append([usageDraft(i)]);
  await p.close();
  await log.close();
}

const onlySegment = async (dir: string): Promise<string> => join(dir, (await readdir(dir)).find((f) => f.endsWith('.log'))!);

describe('FileEventLog', () => {
  it('appends, reads back in order and survives a reopen', async () => {
    const dir = freshDir();
    await writeEvents(dir, 10);
    const log = await FileEventLog.open(dir);
    expect(log.endOffset()).toBe(10n);
    const page = await log.read(3n, 4);
    expect(page.records.map((r) => r.offset)).toEqual([3n, 4n, 5n, 6n]);
    expect(page.nextOffset).toBe(7n);
    expect(page.records[0]!.envelope.requestId).toBe('req-3');
    expect((await log.read(10n, 5)).records).toEqual([]);
    await expect(log.read(11n, 5)).rejects.toMatchObject({ code: 11 });
    const p = await Producer.open(log, 'ingress/t1');
    expect((await p.append([usageDraft(10)]))[0]).toMatchObject({ offset: 10n, envelope: { sequence: 11n } });
    expect(verifyLog(await all(log)).ok).toBe(true);
    await log.close();
  });

  it('truncates a partial record at the tail on open', async () => {
    const dir = freshDir();
    await writeEvents(dir, 5);
    const seg = await onlySegment(dir);
    const goodSize = (await stat(seg)).size;
    const frame = encodeFrame(toBinary(events.EnvelopeSchema, (await readBack(dir))[0]!.envelope));
    await appendFile(seg, frame.subarray(0, frame.length - 3));
    const log = await FileEventLog.open(dir);
    expect(log.endOffset()).toBe(5n);
    expect(log.tornBytesAtOpen).toBe(frame.length - 3);
    expect((await stat(seg)).size).toBe(goodSize);
    await Producer.open(log, 'ingress/t1').then((p) => p.append([usageDraft(5)]));
    expect(verifyLog(await all(log))).toMatchObject({ ok: true, producers: [{ count: 6 }] });
    await log.close();
  });

  it('truncates garbage and a bad-CRC last record, including a zero-filled tail', async () => {
    const dir = freshDir();
    await writeEvents(dir, 4);
    const seg = await onlySegment(dir);
    const bad = encodeFrame(Buffer.from('not an envelope at all'));
    bad.writeUInt32LE((bad.readUInt32LE(4) + 1) >>> 0, 4);
    await appendFile(seg, Buffer.concat([bad, Buffer.alloc(64)]));
    const log = await FileEventLog.open(dir);
    expect(log.endOffset()).toBe(4n);
    expect(log.tornBytesAtOpen).toBe(bad.length + 64);
    await log.close();
  });

  it('shares one fsync among concurrent appends (group commit) and resolves each with its offsets', async () => {
    const log = await FileEventLog.open(freshDir());
    const envs = Array.from({ length: 60 }, (_, i) => create(events.EnvelopeSchema, { id: `e${i}`, requestId: `req-${i}` }));
    const results = await Promise.all(envs.map((e) => log.append([e])));
    expect(results.map((r) => r[0]!.envelope.id)).toEqual(envs.map((e) => e.id));
    expect(results.map((r) => r[0]!.offset)).toEqual(Array.from({ length: 60 }, (_, i) => BigInt(i)));
    const s = log.stats();
    expect(s).toMatchObject({ appendCalls: 60, records: 60n });
    expect(s.commits).toBeGreaterThanOrEqual(2);
    expect(s.commits).toBeLessThan(10);
    expect((await log.read(0n, 100)).records.map((r) => r.envelope.id)).toEqual(envs.map((e) => e.id));
    const p1 = await Producer.open(log, 'ingress/g1');
    const p2 = await Producer.open(log, 'scheduler/g2');
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? p1 : p2).append([usageDraft(i)])));
    expect(verifyLog((await all(log)).slice(60))).toMatchObject({ ok: true, producers: [{ count: 20 }, { count: 20 }] });
    await log.close();
  });

  it('wakes waiting readers on append and times out otherwise', async () => {
    const log = await FileEventLog.open(freshDir());
    const ac = new AbortController();
    const t0 = Date.now();
    await log.waitForAppend(0n, ac.signal, 50);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    const waits = [log.waitForAppend(0n, ac.signal, 10_000), log.waitForAppend(0n, ac.signal, 10_000)];
    const p = await Producer.open(log, 'ingress/w');
    await p.append([usageDraft(0)]);
    await Promise.all(waits);
    expect(log.endOffset()).toBe(1n);
    const aborted = log.waitForAppend(1n, ac.signal, 10_000);
    ac.abort();
    await aborted;
    await log.close();
  });

  it('rolls segments and reads across them', async () => {
    const dir = freshDir();
    await writeEvents(dir, 30, { segmentBytes: 1024 });
    expect((await readdir(dir)).filter((f) => f.endsWith('.log')).length).toBeGreaterThan(2);
    const log = await FileEventLog.open(dir, { segmentBytes: 1024 });
    const records = await all(log);
    expect(records.map((r) => r.envelope.requestId)).toEqual(Array.from({ length: 30 }, (_, i) => `req-${i}`));
    expect(verifyLog(records).ok).toBe(true);
    await log.close();
  });

  it('deletes a prefix of whole segments, never the last, and reopens at the new start', async () => {
    const dir = freshDir();
    await writeEvents(dir, 30, { segmentBytes: 1024 });
    const log = await FileEventLog.open(dir, { segmentBytes: 1024 });
    const segmentsBefore = (await readdir(dir)).filter((f) => f.endsWith('.log')).length;
    const start = await log.deleteBefore(20n);
    expect(start).toBeGreaterThan(0n);
    expect(start).toBeLessThanOrEqual(20n);
    expect((await readdir(dir)).filter((f) => f.endsWith('.log')).length).toBeLessThan(segmentsBefore);
    await expect(log.read(start - 1n, 1)).rejects.toMatchObject({ code: 11 });
    expect((await log.read(start, 1)).records[0]?.offset).toBe(start);
    expect(await log.deleteBefore(1000n)).toBe(log.startOffset());
    expect(log.endOffset()).toBe(30n);
    await log.close();
    const reopened = await FileEventLog.open(dir, { segmentBytes: 1024 });
    expect(reopened.endOffset()).toBe(30n);
    const p = await Producer.open(reopened, 'ingress/t1');
    expect(p.lastSequence()).toBe(30n);
    await p.append([usageDraft(30)]);
    await p.close();
    const kept: LogRecord[] = [];
    for await (const r of scanLog(reopened, reopened.startOffset(), reopened.endOffset(), 7)) kept.push(r);
    expect(kept.at(-1)?.envelope.sequence).toBe(31n);
    await reopened.close();
  });

  it('serves a read-only view beside the writer and sees its new records', async () => {
    const dir = freshDir();
    const writer = await FileEventLog.open(dir);
    await expect(FileEventLog.open(dir)).rejects.toMatchObject({ code: 9 });
    const p = await Producer.open(writer, 'ingress/ro');
    await p.append([usageDraft(0), usageDraft(1)]);
    const reader = await FileEventLog.open(dir, { readOnly: true, pollIntervalMs: 20 });
    expect(reader.endOffset()).toBe(2n);
    await expect(reader.append([])).rejects.toMatchObject({ code: 9 });
    const waiting = reader.waitForAppend(2n, new AbortController().signal, 5000);
    await p.append([usageDraft(2)]);
    await waiting;
    expect(reader.endOffset()).toBe(3n);
    expect((await all(reader)).map((r) => r.envelope.requestId)).toEqual(['req-0', 'req-1', 'req-2']);
    await reader.close();
    await writer.close();
  });

  it('verification catches an envelope edited on disk with a fixed-up CRC', async () => {
    const dir = freshDir();
    await writeEvents(dir, 6);
    const seg = await onlySegment(dir);
    const bytes = await readFile(seg);
    const log0 = await FileEventLog.open(dir, { readOnly: true });
    const target = (await all(log0))[3]!.envelope;
    await log0.close();
    const edited = fromBinary(events.EnvelopeSchema, toBinary(events.EnvelopeSchema, target));
    if (edited.payload.case !== 'usageRecorded') throw new Error('fixture');
    const original = toBinary(events.EnvelopeSchema, target);
    edited.payload.value.usage!.promptTokens = 1;
    const replaced = toBinary(events.EnvelopeSchema, edited);
    expect(replaced.length).toBe(original.length);
    const at = bytes.indexOf(Buffer.from(original));
    bytes.set(replaced, at);
    bytes.writeUInt32LE(crc32(replaced), at - FRAME_HEADER_BYTES + 4);
    await writeFile(seg, bytes);
    const log = await FileEventLog.open(dir);
    expect(log.endOffset()).toBe(6n);
    const res = verifyLog(await all(log));
    expect(res.ok).toBe(false);
    expect(res.problems).toEqual([expect.stringMatching(/^offset 3 .*edited/)]);
    await log.close();
  });
});

async function readBack(dir: string): Promise<LogRecord[]> {
  const log = await FileEventLog.open(dir, { readOnly: true });
  try {
    return await all(log);
  } finally {
    await log.close();
  }
}
