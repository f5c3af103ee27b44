import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, cachedSource, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { expectDistinct, expectShape, expectSingleLayer } from './check.ts';

/**
 * Row sums on the GPU: `out[0][i] = Σ_j x[i][j]` with `x` `[M, N]` and `out` a row vector `[1, M]`
 * (a bias gradient: `db = Σ` of dY over every example and position). Each fragment sums 4 rows,
 * a texel (4 columns) at a time. Throws ConvConfigError on a shape mismatch.
 */
export function rowSumsGpu(gpu: Gpu, x: GpuMatrix, out: GpuMatrix): void {
  const M = x.rows;
  expectShape('rowSums', 'out', out, 1, M);
  expectDistinct('rowSums', x, out);
  expectSingleLayer('rowSums', out);
  const key = `rowSums:${layoutKey(x.layout)}:${layoutKey(out.layout)}`;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('X', x.layout)}${declareOutputs(out.layout)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  vec4 v = vec4(0.0);
  for (int l = 0; l < 4; l++) {
    int i = rt.y * 4 + l;
    if (i >= ${M}) break;
    vec4 s = vec4(0.0);
    for (int t = 0; t < ${x.layout.texelsPerRow}; t++) s += X_texel(i, t);
    v[l] = s.x + s.y + s.z + s.w;
  }
  o0 = v;
}
`,
  );
  gpu.draw({ source, inputs: { X: x }, outputs: [out], op: `rowSums ${x.rows}×${x.cols}` });
}
