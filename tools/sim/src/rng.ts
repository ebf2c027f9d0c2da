/**
 * A small seeded PRNG (mulberry32) with the distributions the workloads need. Simulations must be
 * reproducible from their seed, so nothing in tools/sim uses Math.random.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Exponential with the given mean (Poisson inter-arrival times). */
  exp(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** A 32-bit value, for token ids and seeds. */
  u32(): number {
    return Math.floor(this.next() * 4294967296) >>> 0;
  }

  /**
   * `out[i] = this.u32() % modulus` for i in [from, to), in that order: the same draws and values,
   * about twice as fast (no float round trip, no call per draw). Prompt tokens are most of what a
   * workload draws.
   */
  fillMod(out: Uint32Array, from: number, to: number, modulus: number): void {
    let s = this.state;
    for (let i = from; i < to; i++) {
      s = (s + 0x6d2b79f5) >>> 0;
      let t = s;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      out[i] = ((t ^ (t >>> 14)) >>> 0) % modulus;
    }
    this.state = s;
  }
}

/** Samples ranks 0..n-1 with P(k) proportional to 1/(k+1)^s (s = 0 is uniform). */
export class Zipf {
  private readonly cdf: Float64Array;

  constructor(n: number, s: number) {
    this.cdf = new Float64Array(n);
    let sum = 0;
    for (let k = 0; k < n; k++) this.cdf[k] = sum += 1 / Math.pow(k + 1, s);
    for (let k = 0; k < n; k++) this.cdf[k]! /= sum;
  }

  sample(rng: Rng): number {
    const u = rng.next();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
