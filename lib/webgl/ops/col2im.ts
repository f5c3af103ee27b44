import type { ConvGeometry } from '../../geometry.ts';
import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, cachedSource, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { expectDistinct, expectShape, expectSingleLayer } from './check.ts';
import { geometryKey } from './im2col.ts';

/**
 * col2im on the GPU, as a gather: `dcols` is `[C·KH·KW, N·OH·OW]` (im2col's layout) and `dx` the
 * CNHW image gradient `[C, N·H·W]`. Each pixel `(c, n, h, w)` sums the entries im2col copied from
 * it: for every tap (kh, kw), `h + ph − kh·dh` must be a multiple of `sh` giving `0 ≤ oh < OH` (and
 * likewise for w), and then `dcols[(c·KH + kh)·KW + kw][(n·OH + oh)·OW + ow]` is added. Entries
 * that came from the padding have no pixel and are dropped. Dilation is supported.
 * Throws ConvConfigError on a shape mismatch.
 */
export function col2imGpu(gpu: Gpu, dcols: GpuMatrix, g: ConvGeometry, dx: GpuMatrix): void {
  const { N, C, H, W, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW } = g;
  const P = N * H * W;
  expectShape('col2im', 'dcols', dcols, C * KH * KW, N * OH * OW);
  expectShape('col2im', 'dx', dx, C, P);
  expectDistinct('col2im', dcols, dx);
  expectSingleLayer('col2im', dx);
  const key = `col2im:${geometryKey(g)}:${layoutKey(dcols.layout)}:${layoutKey(dx.layout)}`;
  const source = cachedSource(key, () => `${FRAGMENT_HEADER}
${declareMatrix('D', dcols.layout)}${declareOutputs(dx.layout)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  int c = rt.x;
  vec4 v = vec4(0.0);
  for (int l = 0; l < 4; l++) {
    int p = rt.y * 4 + l;
    if (p >= ${P}) break;
    int n = p / ${H * W};
    int rem = p - n * ${H * W};
    int y = rem / ${W};
    int x = rem - y * ${W};
    float sum = 0.0;
    for (int kh = 0; kh < ${KH}; kh++) {
      int ty = y + ${ph} - kh * ${dh};
      if (ty < 0 || ty % ${sh} != 0 || ty / ${sh} >= ${OH}) continue;
      int oh = ty / ${sh};
      for (int kw = 0; kw < ${KW}; kw++) {
        int tx = x + ${pw} - kw * ${dw};
        if (tx < 0 || tx % ${sw} != 0 || tx / ${sw} >= ${OW}) continue;
        sum += D_at((c * ${KH} + kh) * ${KW} + kw, (n * ${OH} + oh) * ${OW} + tx / ${sw});
      }
    }
    v[l] = sum;
  }
  o0 = v;
}
`);
  gpu.draw({ source, inputs: { D: dcols }, outputs: [dx], op: `col2im ${dx.rows}×${dx.cols}` });
}
