import { EventApplier, type KvEvent, type KvIndex } from '@infermesh/kv-directory';
import { fill, pick, prng, randomHashes } from './workload.js';

/** One fleet shape for the throughput run. */
export interface FleetShape {
  readonly label: string;
  readonly workers: number;
  readonly models: number;
  /** Distinct blocks indexed before timing starts. */
  readonly prefill: number;
  /** Events (stored and removed, 16 blocks each) and lookups in the timed stream. */
  readonly events: number;
  readonly lookups: number;
  /** Blocks per lookup prompt. */
  readonly lookupBlocks: number;
  /**
   * Workers named in each Match (the scheduler's filtered candidates, always including the worker
   * that stored the prompt); absent: Match over every worker holding the model.
   */
  readonly candidates?: number;
}

export interface ThroughputResult {
  readonly opsPerS: number;
  readonly eventsPerS: number;
  readonly lookupsPerS: number;
  readonly blocksPerS: number;
  readonly seconds: number;
}

type Op = { kind: 'event'; event: KvEvent } | { kind: 'lookup'; model: string; hashes: bigint[]; workerIds: string[] | undefined };

/**
 * A realistic stream: each worker stores 16-block chunks of new prompts and, once it holds more
 * than a budget, evicts its oldest chunk (an LRU engine at steady state); lookups are prompts whose
 * first half is a chunk chain some worker stored and whose second half is new. Events go through
 * the EventApplier (sequence checks included), as in the service. The stream is generated up front
 * so that only index work is timed.
 */
export function buildStream(shape: FleetShape, seed: number): Op[] {
  const rnd = prng(seed);
  const seq = new Map<string, bigint>();
  const held = new Map<string, { model: string; hashes: bigint[] }[]>();
  const ops: Op[] = [];
  const recent: { model: string; hashes: bigint[]; workerId: string }[] = [];
  const lookupEvery = Math.max(1, Math.floor(shape.events / Math.max(1, shape.lookups)));
  for (let e = 0; e < shape.events; e++) {
    const workerId = `worker-${pick(rnd, shape.workers)}`;
    const sequence = (seq.get(workerId) ?? 1_000_000n) + 1n;
    seq.set(workerId, sequence);
    const mine = held.get(workerId) ?? [];
    held.set(workerId, mine);
    if (mine.length > 64) {
      const old = mine.shift()!;
      ops.push({ kind: 'event', event: { workerId, sequence, kind: 'removed', model: old.model, blockHashes: old.hashes } });
    } else {
      const chunk = { model: `model-${pick(rnd, shape.models)}`, hashes: randomHashes(rnd, 16), workerId };
      mine.push(chunk);
      recent.push(chunk);
      if (recent.length > 256) recent.shift();
      ops.push({ kind: 'event', event: { workerId, sequence, kind: 'stored', model: chunk.model, blockHashes: chunk.hashes } });
    }
    if (e % lookupEvery === 0 && recent.length > 0) {
      const base = recent[pick(rnd, recent.length)]!;
      const hashes = [...base.hashes];
      while (hashes.length < shape.lookupBlocks) hashes.push(...randomHashes(rnd, Math.min(16, shape.lookupBlocks - hashes.length)));
      const workerIds = shape.candidates === undefined ? undefined : [base.workerId, ...Array.from({ length: shape.candidates - 1 }, () => `worker-${pick(rnd, shape.workers)}`)];
      ops.push({ kind: 'lookup', model: base.model, hashes, workerIds });
    }
  }
  return ops;
}

/** Prefills a fresh index, then times the stream on this thread. */
export function runThroughput(make: () => KvIndex, shape: FleetShape, stream: readonly Op[], seed: number): ThroughputResult {
  const index = make();
  fill(index, prng(seed + 1), shape.prefill, shape.workers, shape.models);
  const applier = new EventApplier(index);
  let events = 0;
  let lookups = 0;
  let blocks = 0;
  let sink = 0;
  const start = process.hrtime.bigint();
  for (const op of stream) {
    if (op.kind === 'event') {
      applier.apply(op.event);
      events++;
      if (op.event.kind === 'stored' || op.event.kind === 'removed') blocks += op.event.blockHashes.length;
    } else {
      sink += index.match(op.model, op.hashes, op.workerIds).length;
      lookups++;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) throw new Error('unreachable');
  return { opsPerS: (events + lookups) / seconds, eventsPerS: events / seconds, lookupsPerS: lookups / seconds, blocksPerS: blocks / seconds, seconds };
}
