import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, cachedSource, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { ConvConfigError } from '../../errors.ts';
import { expectDistinct, expectLayers, expectShape, expectSingleLayer } from './check.ts';
import { METRICS_COLS } from './softmax-cross-entropy.ts';

/** Adam's constants (lib/train/optimizer's defaults are 0.9, 0.999, 1e-8). */
export interface AdamConstants {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/** One Adam update of one parameter: the current textures and where the next go. */
export interface AdamUpdate {
  readonly param: GpuMatrix;
  readonly m: GpuMatrix;
  readonly v: GpuMatrix;
  readonly grad: GpuMatrix;
  readonly nextParam: GpuMatrix;
  readonly nextM: GpuMatrix;
  readonly nextV: GpuMatrix;
}

/**
 * The step counter `[1, 4]` Adam's bias correction reads: lane 0 = steps applied so far. It lives
 * on the GPU because only the GPU knows (without a blocking read) whether a step was finite.
 */
export const COUNTER_COLS = 4;

/**
 * Adam on the GPU, elementwise with ping-pong textures (one draw, three outputs), as
 * lib/train/optimizer's createAdam: with `t = counter + 1`, `m' = β1·m + (1−β1)·g`,
 * `v' = β2·v + (1−β2)·g²`, `p' = p − lr·(m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε)`. When the metrics
 * texel says the step was not finite, p, m and v are copied unchanged. Run adamCountGpu after all
 * parameters' updates. Throws ConvConfigError on a shape mismatch or bad constants.
 */
export function adamUpdateGpu(gpu: Gpu, u: AdamUpdate, metrics: GpuMatrix, counter: GpuMatrix, c: AdamConstants): void {
  const { rows, cols } = u.param;
  for (const [name, m] of [
    ['m', u.m],
    ['v', u.v],
    ['grad', u.grad],
    ['nextParam', u.nextParam],
    ['nextM', u.nextM],
    ['nextV', u.nextV],
  ] as const) {
    expectShape('adamUpdate', name, m, rows, cols);
  }
  expectShape('adamUpdate', 'metrics', metrics, 1, METRICS_COLS);
  expectShape('adamUpdate', 'counter', counter, 1, COUNTER_COLS);
  expectLayers('adamUpdate', u.param.layout.layers, u.m, u.v, u.nextParam, u.nextM, u.nextV);
  expectDistinct('adamUpdate', u.param, u.nextParam);
  expectDistinct('adamUpdate', u.m, u.nextM);
  expectDistinct('adamUpdate', u.v, u.nextV);
  if (!(c.lr > 0) || !(c.eps > 0) || !(c.beta1 >= 0 && c.beta1 < 1) || !(c.beta2 >= 0 && c.beta2 < 1)) {
    throw new ConvConfigError('lr', `adamUpdate: lr and eps must be > 0, beta1 and beta2 in [0, 1); got ${JSON.stringify(c)}`);
  }
  const key = `adam:${layoutKey(u.param.layout)}:${layoutKey(u.grad.layout)}`;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('P', u.param.layout)}${declareMatrix('M', u.m.layout)}${declareMatrix('V', u.v.layout)}${declareMatrix('G', u.grad.layout)}${declareMatrix('S', metrics.layout)}${declareMatrix('T', counter.layout)}
uniform float u_lr;
uniform float u_beta1;
uniform float u_beta2;
uniform float u_eps;
${declareOutputs(u.param.layout, 3)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); o1 = vec4(0.0); o2 = vec4(0.0); return; }
  vec4 p = P_texel(rt.x, rt.y);
  vec4 m = M_texel(rt.x, rt.y);
  vec4 v = V_texel(rt.x, rt.y);
  vec4 g = G_texel(rt.x, rt.y);
  bool skip = S_texel(0, 0).z != 0.0;
  float t = T_texel(0, 0).x + 1.0;
  float c1 = 1.0 - pow(u_beta1, t);
  float c2 = 1.0 - pow(u_beta2, t);
  vec4 m2 = u_beta1 * m + (1.0 - u_beta1) * g;
  vec4 v2 = u_beta2 * v + (1.0 - u_beta2) * g * g;
  vec4 p2 = p - u_lr * (m2 / c1) / (sqrt(v2 / c2) + u_eps);
  o0 = skip ? p : p2;
  o1 = skip ? m : m2;
  o2 = skip ? v : v2;
}
`,
  );
  gpu.draw({
    source,
    inputs: { P: u.param, M: u.m, V: u.v, G: u.grad, S: metrics, T: counter },
    outputs: [u.nextParam, u.nextM, u.nextV],
    uniforms: { u_lr: c.lr, u_beta1: c.beta1, u_beta2: c.beta2, u_eps: c.eps },
    op: 'adam',
  });
}

/** Advances Adam's step counter: `next = counter + 1` when the metrics say the step was finite, else a copy. */
export function adamCountGpu(gpu: Gpu, counter: GpuMatrix, metrics: GpuMatrix, next: GpuMatrix): void {
  expectShape('adamCount', 'counter', counter, 1, COUNTER_COLS);
  expectShape('adamCount', 'next', next, 1, COUNTER_COLS);
  expectShape('adamCount', 'metrics', metrics, 1, METRICS_COLS);
  expectDistinct('adamCount', counter, next);
  expectSingleLayer('adamCount', next);
  const source = cachedSource(
    `adamCount:${layoutKey(counter.layout)}:${layoutKey(metrics.layout)}`,
    () => `${FRAGMENT_HEADER}
${declareMatrix('T', counter.layout)}${declareMatrix('S', metrics.layout)}
layout(location = 0) out vec4 o0;
void main() {
  vec4 t = T_texel(0, 0);
  bool skip = S_texel(0, 0).z != 0.0;
  o0 = vec4(skip ? t.x : t.x + 1.0, 0.0, 0.0, 0.0);
}
`,
  );
  gpu.draw({ source, inputs: { T: counter, S: metrics }, outputs: [next] });
}
