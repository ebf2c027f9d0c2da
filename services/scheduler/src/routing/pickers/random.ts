import type { Picker } from '../types.js';

/**
 * Uniform choice among the candidates that passed the filters, ignoring scores: the baseline a
 * routing policy must beat. Seeded (mulberry32), so a simulation with the same seed makes the same
 * choices; the state is per picker instance, never shared between routers.
 */
export function randomPicker(seed = 1): Picker {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    name: 'random',
    pick: (scored) => scored[Math.floor(next() * scored.length)]!,
  };
}
