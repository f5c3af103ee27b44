import type { Tensor } from './tensor.ts';
import { tensor } from './tensor.ts';

/** A seeded pseudo-random generator returning floats in [0, 1) (mulberry32: small, fast, repeatable). */
export type Rng = () => number;

/** Makes a generator from a 32-bit seed; the same seed always yields the same sequence. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal sample (Box–Muller) drawn from `rng`. */
export function normal(rng: Rng): number {
  const u = 1 - rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A tensor of `shape` with entries uniform in [lo, hi). */
export function randomUniform(shape: readonly number[], rng: Rng, lo = -1, hi = 1): Tensor {
  const t = tensor(shape);
  for (let k = 0; k < t.data.length; k++) t.data[k] = lo + (hi - lo) * rng();
  return t;
}

/** A tensor of `shape` with small integer entries in [lo, hi], handy for readable examples. */
export function randomIntegers(shape: readonly number[], rng: Rng, lo = -3, hi = 3): Tensor {
  const t = tensor(shape);
  for (let k = 0; k < t.data.length; k++) t.data[k] = lo + Math.floor((hi - lo + 1) * rng());
  return t;
}
