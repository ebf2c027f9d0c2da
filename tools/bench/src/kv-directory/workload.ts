import { BitsetKvIndex, CompactKvIndex, type KvIndex } from '@infermesh/kv-directory';

/** The implementations compared, by the name printed in results. The baseline comes first. */
export const IMPLEMENTATIONS: Readonly<Record<string, () => KvIndex>> = {
  'map-bitset (baseline)': () => new BitsetKvIndex(),
  compact: () => new CompactKvIndex(),
};

/** Seeded PRNG (mulberry32): the same workload for every implementation in a run. */
export function prng(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly random 64-bit block hash, like the first 8 bytes of a SHA-256 digest. */
export function randomHash(rnd: () => number): bigint {
  const hi = BigInt(Math.floor(rnd() * 4294967296));
  const lo = BigInt(Math.floor(rnd() * 4294967296));
  return (hi << 32n) | lo;
}

export function randomHashes(rnd: () => number, n: number): bigint[] {
  return Array.from({ length: n }, () => randomHash(rnd));
}

/** Integer in [0, n). */
export function pick(rnd: () => number, n: number): number {
  return Math.floor(rnd() * n);
}

/**
 * How many workers hold each new block in the fill phases: 80% one, 15% two, 5% four, i.e. 1.5
 * holders per block on average (cache-aware routing keeps replication low; shared system
 * prompts are the replicated tail).
 */
export function holdersFor(rnd: () => number): number {
  const r = rnd();
  return r < 0.8 ? 1 : r < 0.95 ? 2 : 4;
}

/**
 * Fills `index` with `blocks` distinct blocks of `model`, stored in 32-block events by
 * `holdersFor` distinct workers out of `workers`. Returns the number of (worker, block) references.
 */
export function fill(index: KvIndex, rnd: () => number, blocks: number, workers: number, models = 1): number {
  let refs = 0;
  for (let done = 0; done < blocks; ) {
    const n = Math.min(32, blocks - done);
    const hashes = randomHashes(rnd, n);
    const model = `model-${pick(rnd, models)}`;
    const k = holdersFor(rnd);
    const first = pick(rnd, workers);
    for (let j = 0; j < k; j++) index.stored(`worker-${(first + j * 7) % workers}`, model, hashes);
    refs += k * n;
    done += n;
  }
  return refs;
}
