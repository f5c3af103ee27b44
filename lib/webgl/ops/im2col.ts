import type { ConvGeometry } from '../../geometry.ts';
import type { Gpu, GpuMatrix } from '../device.ts';
import { FRAGMENT_HEADER, LANES, cachedSource, divIndex, modIndex, declareMatrix, declareOutputs, layoutKey } from '../glsl.ts';
import { expectDistinct, expectShape, expectSingleLayer } from './check.ts';

/** A key naming every number of a convolution geometry (for shader caches). */
export function geometryKey(g: ConvGeometry): string {
  return [g.N, g.C, g.H, g.W, g.KH, g.KW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw].join(',');
}

/**
 * im2col on the GPU. `x` is a CNHW activation `[C, N·H·W]` (row c holds channel c of every image
 * side by side, pixel `(n, h, w)` at column `(n·H + h)·W + w`); `cols` is `[C·KH·KW, N·OH·OW]` with
 * the contract's order: row `r = (c·KH + kh)·KW + kw`, column `q = (n·OH + oh)·OW + ow`,
 * `cols[r][q] = xpadded[n][c][oh·sh + kh·dh][ow·sw + kw·dw]` (zero in the padding).
 * Each fragment fills one texel (4 consecutive columns; the lane loop is written out, which
 * SwiftShader runs about a third faster than a loop with a dynamic lane index). Throws ConvConfigError on a shape mismatch.
 */
export function im2colGpu(gpu: Gpu, x: GpuMatrix, g: ConvGeometry, cols: GpuMatrix): void {
  const { N, C, H, W, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW } = g;
  const Q = N * OH * OW;
  expectShape('im2col', 'x', x, C, N * H * W);
  expectShape('im2col', 'cols', cols, C * KH * KW, Q);
  expectDistinct('im2col', x, cols);
  expectSingleLayer('im2col', cols);
  const key = `im2col:${geometryKey(g)}:${layoutKey(x.layout)}:${layoutKey(cols.layout)}`;
  // When OW is a multiple of 4 the texel's 4 columns share the image and the output row.
  const shared = OW % 4 === 0;
  const source = cachedSource(
    key,
    () => `${FRAGMENT_HEADER}
${declareMatrix('X', x.layout)}${declareOutputs(cols.layout)}
void main() {
  ivec2 rt = outputTexel();
  if (outputIsPadding(rt)) { o0 = vec4(0.0); return; }
  int r = rt.x;
  int c = ${divIndex('r', KH * KW)};
  int kh = ${modIndex(divIndex('r', KW), KH)};
  int kw = ${modIndex('r', KW)};
  int dy = kh * ${dh} - ${ph};
  int dx = kw * ${dw} - ${pw};
  vec4 v = vec4(0.0);
  int q0 = rt.y * 4;
  int n0 = ${divIndex('q0', OH * OW)};
  int oh0 = ${divIndex(`q0 - n0 * ${OH * OW}`, OW)};
  int ow0 = q0 - n0 * ${OH * OW} - oh0 * ${OW};
${LANES.map(
  (lane, l) => `  {
    int q = q0 + ${l};
${
  shared
    ? `    int n = n0;
    int oh = oh0;
    int ow = ow0 + ${l};`
    : `    int n = ${divIndex('q', OH * OW)};
    int rem = q - n * ${OH * OW};
    int oh = ${divIndex('rem', OW)};
    int ow = rem - oh * ${OW};`
}
    int y = oh * ${sh} + dy;
    int xx = ow * ${sw} + dx;
    if (q < ${Q} && y >= 0 && y < ${H} && xx >= 0 && xx < ${W}) v.${lane} = X_at(c, (n * ${H} + y) * ${W} + xx);
  }
`,
).join('')}  o0 = v;
}
`,
  );
  gpu.draw({ source, inputs: { X: x }, outputs: [cols], op: `im2col ${cols.rows}×${cols.cols}` });
}
