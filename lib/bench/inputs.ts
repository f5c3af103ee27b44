import type { ConvOptions } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { createRng, randomUniform } from '../random.ts';
import type { BenchCase } from './cases.ts';
import { layerOptions, layerOutputShape } from './cases.ts';

/** The operands of one layer: input `x`, kernel `w`, bias `b`, an output gradient `dy`, and the options. */
export interface LayerInputs {
  readonly x: Tensor;
  readonly w: Tensor;
  readonly b: Tensor;
  readonly dy: Tensor;
  readonly opts: ConvOptions;
}

/** The two passes the lesson times. */
export type Pass = 'forward' | 'backward';

/** Every pass, in table order. */
export const PASSES: readonly Pass[] = ['forward', 'backward'];

/**
 * Seeded random operands for every layer of a case: x and dy uniform in [−1, 1), w and b in
 * [−0.5, 0.5). The same seed gives the same numbers, so every method sees the same work.
 */
export function makeCaseInputs(c: BenchCase, seed = 1): LayerInputs[] {
  const rng = createRng(seed);
  return c.layers.map((layer) => ({
    x: randomUniform(layer.x, rng),
    w: randomUniform(layer.w, rng, -0.5, 0.5),
    b: randomUniform([layer.w[0]], rng, -0.5, 0.5),
    dy: randomUniform(layerOutputShape(layer), rng),
    opts: layerOptions(layer),
  }));
}
