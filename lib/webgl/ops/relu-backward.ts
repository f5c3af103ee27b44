import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, cachedSource, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { expectDistinct, expectShape, expectSingleLayer } from './check.ts';

/**
 * ReLU backward on the GPU: `out = dy ⊙ [a > 0]`, elementwise over matrices of one shape. `a` may
 * be the pre-activation or the ReLU's output (both are positive at the same places); at `a = 0`
 * the gradient is 0, like lib/ops/relu's reluBackward. A NaN in `dy` where `a ≤ 0` gives 0.
 * Throws ConvConfigError on a shape mismatch.
 */
export function reluBackwardGpu(gpu: Gpu, dy: GpuMatrix, a: GpuMatrix, out: GpuMatrix): void {
  expectShape('reluBackward', 'a', a, dy.rows, dy.cols);
  expectShape('reluBackward', 'out', out, dy.rows, dy.cols);
  expectDistinct('reluBackward', dy, out);
  expectDistinct('reluBackward', a, out);
  expectSingleLayer('reluBackward', out);
  const key = `reluBackward:${layoutKey(dy.layout)}:${layoutKey(a.layout)}:${layoutKey(out.layout)}`;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('D', dy.layout)}${declareMatrix('A', a.layout)}${declareOutputs(out.layout)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  vec4 d = D_texel(rt.x, rt.y);
  o0 = mix(vec4(0.0), d, greaterThan(A_texel(rt.x, rt.y), vec4(0.0)));
}
`,
  );
  gpu.draw({ source, inputs: { D: dy, A: a }, outputs: [out], op: `reluBackward ${dy.rows}×${dy.cols}` });
}
