import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { Code, type MeshError } from '@infermesh/errors';
import { startInProcessMesh, type InProcessMesh } from './in-process-mesh.js';
import { generate, readEvents } from './mesh-clients.js';

// A deliberately tiny mesh: 2 workers of one sequence each and a queue of 2, so that a burst of
// requests overflows admission.
let m: InProcessMesh;

beforeAll(async () => {
  m = await startInProcessMesh({ INFERMESH_WORKERS: '2', INFERMESH_MAX_NUM_SEQS: '1', INFERMESH_QUEUE_CAPACITY: '2' });
}, 90_000);

afterAll(async () => {
  await m?.stop();
});

it('a full queue answers RESOURCE_EXHAUSTED at once, bills nothing for it, and serves the admitted requests', async () => {
  const burst = Array.from({ length: 8 }, (_, i) =>
    generate(m.c.inference, m.apiKey, { model: 'llama-3.1-8b-instruct', input: { case: 'prompt', value: `burst request ${i}` }, maxTokens: 256 }).then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e: e as MeshError }),
    ),
  );
  const results = await Promise.all(burst);
  const served = results.filter((x) => x.ok);
  const shed = results.filter((x) => !x.ok);
  // 2 running + 2 queued fit; the other 4 are shed.
  expect(served.length).toBe(4);
  expect(shed.length).toBe(4);
  for (const s of shed) {
    expect(s.e.code).toBe(Code.ResourceExhausted);
    expect(s.e.message).toMatch(/queue is full/);
  }
  for (const s of served) expect(s.r.final?.usage?.completionTokens).toBe(256);

  const events = await readEvents(m.mesh.eventLogDir);
  const rejected = events.filter((e) => e.payload.case === 'requestRejected');
  expect(rejected.map((e) => (e.payload.value as { code: string }).code)).toEqual(Array(4).fill('RESOURCE_EXHAUSTED'));
  const billed = new Set(events.filter((e) => e.payload.case === 'usageRecorded').map((e) => e.requestId));
  for (const e of rejected) expect(billed.has(e.requestId)).toBe(false);
  expect(billed.size).toBe(4);
  expect((await m.c.scheduler.getStats({})).rejectedTotal).toBe(4n);
}, 60_000);
