import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, cachedSource, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { ConvConfigError } from '../../errors.ts';
import { expectDistinct, expectLayers, expectShape } from './check.ts';
import { METRICS_COLS } from './softmax-cross-entropy.ts';

/** One SGD-with-momentum update of one parameter: the current textures and where the next go. */
export interface SgdUpdate {
  readonly param: GpuMatrix;
  readonly velocity: GpuMatrix;
  readonly grad: GpuMatrix;
  readonly nextParam: GpuMatrix;
  readonly nextVelocity: GpuMatrix;
}

/**
 * SGD with momentum μ on the GPU, elementwise (ping-pong textures, one draw with two outputs):
 * `v' = μ·v + g`, `p' = p − lr·v'` (lib/train/optimizer's createSgd). When the metrics texel says
 * the step was not finite (lane 2 ≠ 0) it writes `p' = p`, `v' = v`, so a NaN never reaches the
 * weights. All five matrices share one shape. Throws ConvConfigError on a shape mismatch.
 */
export function sgdUpdateGpu(gpu: Gpu, u: SgdUpdate, metrics: GpuMatrix, lr: number, momentum: number): void {
  const { rows, cols } = u.param;
  for (const [name, m] of [
    ['velocity', u.velocity],
    ['grad', u.grad],
    ['nextParam', u.nextParam],
    ['nextVelocity', u.nextVelocity],
  ] as const) {
    expectShape('sgdUpdate', name, m, rows, cols);
  }
  expectShape('sgdUpdate', 'metrics', metrics, 1, METRICS_COLS);
  expectLayers('sgdUpdate', u.param.layout.layers, u.velocity, u.nextParam, u.nextVelocity);
  expectDistinct('sgdUpdate', u.param, u.nextParam);
  expectDistinct('sgdUpdate', u.velocity, u.nextVelocity);
  if (!(lr > 0) || !(momentum >= 0 && momentum < 1)) {
    throw new ConvConfigError('lr', `sgdUpdate: lr must be > 0 and momentum in [0, 1), got lr ${lr}, momentum ${momentum}`);
  }
  const key = `sgd:${layoutKey(u.param.layout)}:${layoutKey(u.grad.layout)}`;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('P', u.param.layout)}${declareMatrix('V', u.velocity.layout)}${declareMatrix('G', u.grad.layout)}${declareMatrix('S', metrics.layout)}
uniform float u_lr;
uniform float u_momentum;
${declareOutputs(u.param.layout, 2)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); o1 = vec4(0.0); return; }
  vec4 p = P_texel(rt.x, rt.y);
  vec4 v = V_texel(rt.x, rt.y);
  vec4 g = G_texel(rt.x, rt.y);
  bool skip = S_texel(0, 0).z != 0.0;
  vec4 v2 = u_momentum * v + g;
  vec4 p2 = p - u_lr * v2;
  o0 = skip ? p : p2;
  o1 = skip ? v : v2;
}
`,
  );
  gpu.draw({
    source,
    inputs: { P: u.param, V: u.velocity, G: u.grad, S: metrics },
    outputs: [u.nextParam, u.nextVelocity],
    uniforms: { u_lr: lr, u_momentum: momentum },
    op: 'sgd',
  });
}
