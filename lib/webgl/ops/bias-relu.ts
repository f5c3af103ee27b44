import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, RELU_KEEP_NAN, cachedSource, declareKeepColumns, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { expectDistinct, expectShape, expectSingleLayer } from './check.ts';

/**
 * `out[i][j] = max(0, x[i][j] + bias[i])` on the GPU (`relu` false: no max). `x` and `out` are
 * `[M, N]`, `bias` is a row vector `[1, M]` (one value per row: a conv's channel, a dense layer's
 * unit). The GEMM can fuse this as its epilogue; this standalone op is the same arithmetic.
 * Throws ConvConfigError on a shape mismatch.
 */
export function biasReluGpu(gpu: Gpu, x: GpuMatrix, bias: GpuMatrix, out: GpuMatrix, relu = true): void {
  expectShape('biasRelu', 'bias', bias, 1, x.rows);
  expectShape('biasRelu', 'out', out, x.rows, x.cols);
  expectDistinct('biasRelu', x, out);
  expectSingleLayer('biasRelu', out);
  const key = `biasRelu:${relu}:${layoutKey(x.layout)}:${layoutKey(bias.layout)}`;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('X', x.layout)}${declareMatrix('bias', bias.layout)}${declareOutputs(out.layout)}${declareKeepColumns(x.cols)}${RELU_KEEP_NAN}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  vec4 v = X_texel(rt.x, rt.y) + bias_at(0, rt.x);
  ${relu ? 'v = reluKeepNaN(v);' : ''}
  o0 = keepColumns(rt.y, v);
}
`,
  );
  gpu.draw({ source, inputs: { X: x, bias }, outputs: [out], op: `biasRelu ${x.rows}×${x.cols}` });
}
