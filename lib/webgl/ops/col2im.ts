import type { ConvGeometry } from '../../geometry.ts';
import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, LANES, cachedSource, divIndex, modIndex, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { expectDistinct, expectShape, expectSingleLayer } from './check.ts';
import { geometryKey } from './im2col.ts';

/**
 * col2im on the GPU, as a gather: `dcols` is `[C·KH·KW, N·OH·OW]` (im2col's layout) and `dx` the
 * CNHW image gradient `[C, N·H·W]`. Each pixel `(c, n, h, w)` sums the entries im2col copied from
 * it: for every tap (kh, kw), `h + ph − kh·dh` must be a multiple of `sh` giving `0 ≤ oh < OH` (and
 * likewise for w), and then `dcols[(c·KH + kh)·KW + kw][(n·OH + oh)·OW + ow]` is added. Entries
 * that came from the padding have no pixel and are dropped. Dilation is supported.
 * With `mask` (`[C, N·H·W]`, the layer input's ReLU output) the result is multiplied by
 * `[mask > 0]`: the ReLU backward of the previous layer, fused. Throws ConvConfigError on a shape
 * mismatch.
 */
export function col2imGpu(gpu: Gpu, dcols: GpuMatrix, g: ConvGeometry, dx: GpuMatrix, mask: GpuMatrix | null = null): void {
  const { N, C, H, W, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW } = g;
  const P = N * H * W;
  expectShape('col2im', 'dcols', dcols, C * KH * KW, N * OH * OW);
  expectShape('col2im', 'dx', dx, C, P);
  expectDistinct('col2im', dcols, dx);
  expectSingleLayer('col2im', dx);
  if (mask) expectShape('col2im', 'mask', mask, C, P);
  const key = `col2im:${geometryKey(g)}:${layoutKey(dcols.layout)}:${layoutKey(dx.layout)}:${mask ? layoutKey(mask.layout) : '-'}`;
  // Without dilation only the taps with kh ≡ h + ph (mod sh) can land on row h, so the loops start
  // there and step by the stride; with dilation every tap is tested.
  const undilated = dh === 1 && dw === 1;
  // Windows that never overlap (kernel ≤ stride, e.g. the seed CNN's k2 s2): at most one tap per
  // pixel, found without a loop.
  const disjoint = undilated && KH <= sh && KW <= sw;
  const taps = disjoint
    ? `    int ty = y + ${ph};
    int tx = x + ${pw};
    int kh = ${modIndex('ty', sh)};
    int kw = ${modIndex('tx', sw)};
    int oh = ${divIndex('ty', sh)};
    int ow = ${divIndex('tx', sw)};
    if (kh < ${KH} && kw < ${KW} && oh < ${OH} && ow < ${OW}) sum = D_at((c * ${KH} + kh) * ${KW} + kw, (n * ${OH} + oh) * ${OW} + ow);
`
    : undilated
      ? `    int ty = y + ${ph};
    for (int kh = ${modIndex('ty', sh)}; kh < ${KH}; kh += ${sh}) {
      if (ty < kh) break;
      int oh = ${divIndex('ty - kh', sh)};
      if (oh >= ${OH}) continue;
      int tx = x + ${pw};
      for (int kw = ${modIndex('tx', sw)}; kw < ${KW}; kw += ${sw}) {
        if (tx < kw) break;
        int ow = ${divIndex('tx - kw', sw)};
        if (ow >= ${OW}) continue;
        sum += D_at((c * ${KH} + kh) * ${KW} + kw, (n * ${OH} + oh) * ${OW} + ow);
      }
    }
`
      : `    for (int kh = 0; kh < ${KH}; kh++) {
      int ty = y + ${ph} - kh * ${dh};
      if (ty < 0 || ${modIndex('ty', sh)} != 0 || ${divIndex('ty', sh)} >= ${OH}) continue;
      int oh = ${divIndex('ty', sh)};
      for (int kw = 0; kw < ${KW}; kw++) {
        int tx = x + ${pw} - kw * ${dw};
        if (tx < 0 || ${modIndex('tx', sw)} != 0 || ${divIndex('tx', sw)} >= ${OW}) continue;
        sum += D_at((c * ${KH} + kh) * ${KW} + kw, (n * ${OH} + oh) * ${OW} + ${divIndex('tx', sw)});
      }
    }
`;
  // When W is a multiple of 4 the texel's 4 pixels share the image and the row.
  const shared = W % 4 === 0;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('D', dcols.layout)}${mask ? declareMatrix('M', mask.layout) : ''}${declareOutputs(dx.layout)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  int c = rt.x;
  vec4 v = vec4(0.0);
  int p0 = rt.y * 4;
  int n0 = ${divIndex('p0', H * W)};
  int y0 = ${divIndex(`p0 - n0 * ${H * W}`, W)};
  int x0 = p0 - n0 * ${H * W} - y0 * ${W};
${LANES.map(
  (lane, l) => `  if (p0 + ${l} < ${P}) {
    int p = p0 + ${l};
${
  shared
    ? `    int n = n0;
    int y = y0;
    int x = x0 + ${l};`
    : `    int n = ${divIndex('p', H * W)};
    int rem = p - n * ${H * W};
    int y = ${divIndex('rem', W)};
    int x = rem - y * ${W};`
}
    float sum = 0.0;
${taps}    v.${lane} = sum;
  }
`,
).join('')}  o0 = ${mask ? 'mix(vec4(0.0), v, greaterThan(M_texel(c, rt.y), vec4(0.0)))' : 'v'};
}
`,
  );
  gpu.draw({ source, inputs: mask ? { D: dcols, M: mask } : { D: dcols }, outputs: [dx], op: `col2im ${dx.rows}×${dx.cols}` });
}
