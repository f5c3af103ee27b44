import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, LANES, cachedSource, divIndex, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { expectDistinct, expectShape, expectSingleLayer } from './check.ts';

/**
 * Flatten on the GPU, from a CNHW activation `x` `[C, N·HW]` (HW = H·W pixels per channel) to
 * `out` `[C·HW, N]`: row `c·HW + p` (the NCHW flatten order of one example), one column per
 * example, i.e. the transposed input of the dense layers. Throws ConvConfigError on a shape mismatch.
 */
export function flattenGpu(gpu: Gpu, x: GpuMatrix, hw: number, out: GpuMatrix): void {
  const C = x.rows;
  const N = x.cols / hw;
  expectShape('flatten', 'out', out, C * hw, N);
  expectDistinct('flatten', x, out);
  expectSingleLayer('flatten', out);
  const key = `flatten:${hw}:${layoutKey(x.layout)}:${layoutKey(out.layout)}`;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('X', x.layout)}${declareOutputs(out.layout)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  int c = ${divIndex('rt.x', hw)};
  int p = rt.x - c * ${hw};
  vec4 v = vec4(0.0);
${LANES.map((lane, l) => `  if (rt.y * 4 + ${l} < ${N}) v.${lane} = X_at(c, (rt.y * 4 + ${l}) * ${hw} + p);\n`).join('')}  o0 = v;
}
`,
  );
  gpu.draw({ source, inputs: { X: x }, outputs: [out], op: `flatten ${x.rows}×${x.cols}` });
}

/**
 * The inverse of flattenGpu: `x` `[C·HW, N]` (one column per example) back to the CNHW `out`
 * `[C, N·HW]`. Used for the gradient flowing from the first dense layer into the convolutions;
 * with `mask` (`[C, N·HW]`, the last conv's ReLU output) the result is multiplied by `[mask > 0]`
 * (that ReLU's backward, fused). Throws ConvConfigError on a shape mismatch.
 */
export function unflattenGpu(gpu: Gpu, x: GpuMatrix, hw: number, out: GpuMatrix, mask: GpuMatrix | null = null): void {
  const N = x.cols;
  const C = x.rows / hw;
  expectShape('unflatten', 'out', out, C, N * hw);
  expectDistinct('unflatten', x, out);
  expectSingleLayer('unflatten', out);
  if (mask) expectShape('unflatten', 'mask', mask, C, N * hw);
  const key = `unflatten:${hw}:${layoutKey(x.layout)}:${layoutKey(out.layout)}:${mask ? layoutKey(mask.layout) : '-'}`;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('X', x.layout)}${mask ? declareMatrix('M', mask.layout) : ''}${declareOutputs(out.layout)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  int c = rt.x;
  vec4 v = vec4(0.0);
${LANES.map(
  (lane, l) => `  if (rt.y * 4 + ${l} < ${N * hw}) {
    int q = rt.y * 4 + ${l};
    int n = ${divIndex('q', hw)};
    v.${lane} = X_at(c * ${hw} + q - n * ${hw}, n);
  }
`,
).join('')}  o0 = ${mask ? 'mix(vec4(0.0), v, greaterThan(M_texel(c, rt.y), vec4(0.0)))' : 'v'};
}
`,
  );
  gpu.draw({ source, inputs: mask ? { X: x, M: mask } : { X: x }, outputs: [out], op: `unflatten ${x.rows}×${x.cols}` });
}
