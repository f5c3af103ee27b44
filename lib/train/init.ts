import { ConvConfigError, describeValue } from '../errors.ts';
import { createRng, normal } from '../random.ts';
import type { ModelPreset, Param } from './model.ts';
import { paramSpecs } from './model.ts';

/**
 * He (Kaiming normal) initialisation of a preset's parameters: every weight drawn from
 * `N(0, 2 / fan_in)` (`fan_in = inC·k·k` for a conv kernel `[outC, inC, k, k]`, `in` for a dense
 * weight `[out, in]`), every bias 0. The draws come from one generator seeded with `seed` (a 32-bit
 * integer), parameter by parameter in order, so the same seed gives bitwise the same parameters.
 */
export function initParams(preset: ModelPreset, seed: number): Param[] {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new ConvConfigError('seed', `seed must be an integer in [0, 4294967295], got ${describeValue(seed)}`);
  }
  const rng = createRng(seed);
  return paramSpecs(preset).map((spec) => {
    const size = spec.shape.reduce((a, d) => a * d, 1);
    const data = new Float32Array(size);
    if (spec.kind === 'weight') {
      const std = Math.sqrt(2 / spec.fanIn);
      for (let k = 0; k < size; k++) data[k] = std * normal(rng);
    }
    return { name: spec.name, tensor: { shape: [...spec.shape], data } };
  });
}
