import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, cachedSource, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { expectDistinct, expectShape, expectSingleLayer } from './check.ts';

/**
 * `out = xᵀ` on the GPU: `x` is `[R, C]`, `out` is `[C, R]`. Each fragment writes 4 consecutive
 * columns of one output row (4 texel fetches, one lane of each). Throws ConvConfigError on a shape
 * mismatch.
 */
export function transposeGpu(gpu: Gpu, x: GpuMatrix, out: GpuMatrix): void {
  const R = x.rows;
  expectShape('transpose', 'out', out, x.cols, R);
  expectDistinct('transpose', x, out);
  expectSingleLayer('transpose', out);
  const key = `transpose:${layoutKey(x.layout)}:${layoutKey(out.layout)}`;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('X', x.layout)}${declareOutputs(out.layout)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  int i = rt.x;
  int texel = i >> 2;
  int lane = i & 3;
  vec4 v = vec4(0.0);
  for (int l = 0; l < 4; l++) {
    int j = rt.y * 4 + l;
    if (j < ${R}) v[l] = X_texel(j, texel)[lane];
  }
  o0 = v;
}
`,
  );
  gpu.draw({ source, inputs: { X: x }, outputs: [out], op: `transpose ${x.rows}×${x.cols}` });
}
