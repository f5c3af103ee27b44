import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, cachedSource, declareKeepColumns, declareMatrix, declareOutputs, glslFloat, layoutKey } from '../glsl.ts';
import { expectDistinct, expectShape, expectSingleLayer } from './check.ts';

/**
 * The metrics texel (a `[1, 4]` matrix) the loss op writes and the optimizer ops read:
 * lane 0 the summed loss over the batch, lane 1 the number of correct predictions (argmax, first
 * on ties), lane 2 the not-finite flag (0 all logits finite, 1 some ±Infinity, 2 some NaN).
 */
export const METRICS_COLS = 4;

/**
 * Gradient of the mean softmax cross-entropy on the GPU, on transposed logits: `logitsT` is
 * `[K, N]` (one column per example), `labels` `[1, N]` holds class indices as floats, and
 * `out` `[K, N]` receives `(softmax(column) − onehot(label)) / N`. Each fragment recomputes its
 * 4 columns' max and sum of exponentials. Throws ConvConfigError on a shape mismatch.
 */
export function softmaxCrossEntropyGradGpu(gpu: Gpu, logitsT: GpuMatrix, labels: GpuMatrix, out: GpuMatrix): void {
  const K = logitsT.rows;
  const N = logitsT.cols;
  expectShape('softmaxCrossEntropyGrad', 'labels', labels, 1, N);
  expectShape('softmaxCrossEntropyGrad', 'out', out, K, N);
  expectDistinct('softmaxCrossEntropyGrad', logitsT, out);
  expectSingleLayer('softmaxCrossEntropyGrad', out);
  const key = `xentGrad:${layoutKey(logitsT.layout)}:${layoutKey(labels.layout)}`;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('L', logitsT.layout)}${declareMatrix('Y', labels.layout)}${declareOutputs(out.layout)}${declareKeepColumns(N)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  int t = rt.y;
  vec4 mx = L_texel(0, t);
  for (int k = 1; k < ${K}; k++) mx = max(mx, L_texel(k, t));
  vec4 s = vec4(0.0);
  for (int k = 0; k < ${K}; k++) s += exp(L_texel(k, t) - mx);
  vec4 p = exp(L_texel(rt.x, t) - mx) / s;
  vec4 onehot = mix(vec4(0.0), vec4(1.0), equal(Y_texel(0, t), vec4(float(rt.x))));
  o0 = keepColumns(t, (p - onehot) * ${glslFloat(1 / N)});
}
`,
  );
  gpu.draw({ source, inputs: { L: logitsT, Y: labels }, outputs: [out], op: 'softmaxCrossEntropyGrad' });
}

/**
 * The batch metrics on the GPU, reduced in one fragment: from `logitsT` `[K, N]` and `labels`
 * `[1, N]` into `metrics` `[1, 4]` (see METRICS_COLS): summed loss
 * `Σₙ logsumexp(z_n) − z_n[label]` (max subtracted first), correct count, not-finite flag.
 * Throws ConvConfigError on a shape mismatch.
 */
export function softmaxCrossEntropyMetricsGpu(gpu: Gpu, logitsT: GpuMatrix, labels: GpuMatrix, metrics: GpuMatrix): void {
  const K = logitsT.rows;
  const N = logitsT.cols;
  expectShape('softmaxCrossEntropyMetrics', 'labels', labels, 1, N);
  expectShape('softmaxCrossEntropyMetrics', 'metrics', metrics, 1, METRICS_COLS);
  expectDistinct('softmaxCrossEntropyMetrics', logitsT, metrics);
  expectSingleLayer('softmaxCrossEntropyMetrics', metrics);
  const T = Math.ceil(N / 4);
  const key = `xentMetrics:${layoutKey(logitsT.layout)}:${layoutKey(labels.layout)}`;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('L', logitsT.layout)}${declareMatrix('Y', labels.layout)}${declareOutputs(metrics.layout)}
void main() {
  float loss = 0.0;
  float correct = 0.0;
  bool nan = false;
  bool inf = false;
  for (int t = 0; t < ${T}; t++) {
    vec4 lab = Y_texel(0, t);
    vec4 first = L_texel(0, t);
    vec4 mx = first;
    vec4 arg = vec4(0.0);
    bvec4 bad = bvec4(false);
    for (int k = 0; k < ${K}; k++) {
      vec4 z = L_texel(k, t);
      nan = nan || any(isnan(z));
      inf = inf || any(isinf(z));
      bvec4 better = greaterThan(z, mx);
      arg = mix(arg, vec4(float(k)), better);
      mx = max(mx, z);
    }
    vec4 s = vec4(0.0);
    vec4 zl = vec4(0.0);
    for (int k = 0; k < ${K}; k++) {
      vec4 z = L_texel(k, t);
      s += exp(z - mx);
      zl += mix(vec4(0.0), z, equal(lab, vec4(float(k))));
    }
    vec4 li = log(s) - (zl - mx);
    vec4 hit = mix(vec4(0.0), vec4(1.0), equal(arg, lab));
    for (int l = 0; l < 4; l++) {
      if (t * 4 + l < ${N}) {
        loss += li[l];
        correct += hit[l];
      }
    }
  }
  o0 = vec4(loss, correct, nan ? 2.0 : (inf ? 1.0 : 0.0), 0.0);
}
`,
  );
  gpu.draw({ source, inputs: { L: logitsT, Y: labels }, outputs: [metrics], op: 'softmaxCrossEntropyMetrics' });
}
