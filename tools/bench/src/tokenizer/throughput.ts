import type { EncodeFn, Group } from './encoders.js';
import type { PythonEncoder } from './python.js';
import { summarizeNanos, type Summary } from './stats.js';

/** Timed passes of one implementation over the whole corpus. */
export interface ImplResult {
  readonly name: string;
  /** Duration of each timed pass, ns. */
  readonly passNs: number[];
  /** Tokens per corpus entry (from the first, untimed pass). */
  readonly counts: number[];
  /** From the first pass: ms spent on entries containing U+FEFF, and on the others (absent for Python). */
  readonly split?: { feffMs: number; otherMs: number };
}

/** What a table row shows: median-pass throughput and the pass-time percentiles. */
export interface Row {
  readonly name: string;
  readonly mbPerS: number;
  readonly tokensPerS: number;
  readonly tokens: number;
  /** Pass time percentiles, µs. */
  readonly pass: Summary;
  /** Entries whose token count differs from the first row's (the service core). */
  readonly countMismatches: number;
  readonly split?: { feffMs: number; otherMs: number };
}

async function pass(encode: EncodeFn, texts: readonly string[]): Promise<number> {
  const start = process.hrtime.bigint();
  for (const t of texts) {
    const ids = encode(t);
    if (ids instanceof Promise) await ids;
  }
  return Number(process.hrtime.bigint() - start);
}

/**
 * Times every implementation of a group on the same texts, one text per call (the native
 * binding's encode runs on one libuv worker while the main thread waits, so one core either
 * way). A first untimed pass gives the counts and the per-entry split and warms up. Repetitions
 * are interleaved pass by pass across implementations, the Python one included, so load from
 * other jobs on the machine hits them alike.
 */
export async function timeGroup(group: Group, texts: readonly string[], reps: number, py?: PythonEncoder): Promise<ImplResult[]> {
  const results: ImplResult[] = [];
  for (const impl of group.js) {
    const counts: number[] = [];
    const split = { feffMs: 0, otherMs: 0 };
    for (const t of texts) {
      const t0 = performance.now();
      counts.push((await impl.encode(t)).length);
      if (t.includes('\ufeff')) split.feffMs += performance.now() - t0;
      else split.otherMs += performance.now() - t0;
    }
    results.push({ name: impl.name, passNs: [], counts, split });
  }
  const pyId = group.python?.model.id;
  const pyCounts = pyId === undefined ? undefined : py?.counts[pyId];
  const pyResult: ImplResult | undefined = pyCounts === undefined ? undefined : { name: group.python!.name, passNs: [], counts: pyCounts };
  for (let r = 0; r < reps; r++) {
    for (let i = 0; i < group.js.length; i++) results[i]!.passNs.push(await pass(group.js[i]!.encode, texts));
    if (pyResult !== undefined) pyResult.passNs.push(await py!.pass(pyId!));
  }
  if (pyResult !== undefined) results.push(pyResult);
  return results;
}

/** Table rows from results; `bytes` is the corpus size in UTF-8 bytes. The first result is the reference for counts. */
export function toRows(results: readonly ImplResult[], bytes: number): Row[] {
  const ref = results[0]?.counts ?? [];
  return results.map((r) => {
    const s = summarizeNanos(r.passNs);
    const tokens = r.counts.reduce((a, b) => a + b, 0);
    const seconds = s.p50 / 1e6;
    return {
      name: r.name,
      mbPerS: bytes / 1e6 / seconds,
      tokensPerS: tokens / seconds,
      tokens,
      pass: s,
      countMismatches: r.counts.filter((c, i) => c !== ref[i]).length,
      ...(r.split === undefined ? {} : { split: r.split }),
    };
  });
}
