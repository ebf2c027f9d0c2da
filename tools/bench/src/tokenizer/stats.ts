import { build, type Histogram } from 'hdr-histogram-js';

/** Summary of a set of durations, in the unit they were recorded in (µs here). */
export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/** An HDR histogram of microsecond durations, 1 µs to 10 min, 3 significant digits. */
export function microsHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
}

/** Percentiles of a histogram; all values in the histogram's unit. */
export function summarize(h: Histogram): Summary {
  return {
    count: h.totalCount,
    p50: h.getValueAtPercentile(50),
    p90: h.getValueAtPercentile(90),
    p99: h.getValueAtPercentile(99),
    min: h.minNonZeroValue,
    max: h.maxValue,
  };
}

/** Percentiles of raw durations in nanoseconds, recorded as microseconds. */
export function summarizeNanos(nanos: readonly number[]): Summary {
  const h = microsHistogram();
  for (const ns of nanos) h.recordValue(Math.max(1, Math.round(ns / 1000)));
  const s = summarize(h);
  h.destroy();
  return s;
}

/** en-US number with fixed decimals. */
export const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
