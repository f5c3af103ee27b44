import type { Tensor } from '../tensor.ts';
import { assertShape, sizeOf } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';

/** Checks a tensor of any rank: a shape of non-negative integers and data of matching length. */
function assertAnyRank(name: string, t: Tensor): void {
  if (!t || !Array.isArray(t.shape) || !(t.data instanceof Float32Array)) {
    throw new ConvConfigError(name, `${name} must be a Tensor { shape, data: Float32Array }, got ${describeValue(t)}`);
  }
  assertShape(name, t.shape);
  const size = sizeOf(t.shape);
  if (t.data.length !== size) {
    throw new ConvConfigError(
      name,
      `${name} data length must equal the product of its shape ${describeValue(t.shape)} = ${size}, got ${t.data.length}`,
    );
  }
}

/**
 * ReLU, element by element: `y = max(0, x)`, same shape as `x` (any rank). A NaN input stays NaN
 * in the output rather than being hidden as 0.
 */
export function relu(x: Tensor): Tensor {
  assertAnyRank('x', x);
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let k = 0; k < src.length; k++) {
    const v = src[k];
    out[k] = v > 0 || v !== v ? v : 0;
  }
  return { shape: [...x.shape], data: out };
}

/**
 * The ReLU mask (its derivative): 1 where `x > 0`, else 0; same shape as `x`, float32.
 * At exactly `x = 0` the derivative is taken to be 0 (the usual convention: a subgradient in
 * [0, 1] must be picked and 0 keeps dead units dead). NaN gives 0.
 */
export function reluMask(x: Tensor): Tensor {
  assertAnyRank('x', x);
  const src = x.data;
  const out = new Float32Array(src.length);
  for (let k = 0; k < src.length; k++) out[k] = src[k] > 0 ? 1 : 0;
  return { shape: [...x.shape], data: out };
}

/**
 * ReLU backward: `dx = dy ⊙ mask(x)`, the upstream gradient `dy` kept where the pre-activation
 * `x` was positive and zeroed elsewhere (including `x = 0`, see reluMask). `dy` and `x` must have
 * the same shape.
 */
export function reluBackward(dy: Tensor, x: Tensor): Tensor {
  assertAnyRank('dy', dy);
  assertAnyRank('x', x);
  const same = dy.shape.length === x.shape.length && dy.shape.every((d, k) => d === x.shape[k]);
  if (!same) {
    throw new ConvConfigError(
      'dy',
      `reluBackward: dy must have the shape of x ${describeValue(x.shape)}, got dy ${describeValue(dy.shape)}`,
    );
  }
  const g = dy.data;
  const pre = x.data;
  const out = new Float32Array(g.length);
  for (let k = 0; k < g.length; k++) out[k] = pre[k] > 0 ? g[k] : 0;
  return { shape: [...dy.shape], data: out };
}
