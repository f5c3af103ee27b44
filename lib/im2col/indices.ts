import type { ConvOptions } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { checkBufferSizes } from '../buffer-limit.ts';

/**
 * The index matrices of im2col for one image (the numpy post's get_indices, generalised to
 * dilation and per-axis stride/padding). `rows = C·KH·KW`, `columns = OH·OW` (per image).
 * For row `r = (c·KH + kh)·KW + kw` and column `p = oh·OW + ow`:
 * `i[r·columns + p] = oh·sh + kh·dh` and `j[r·columns + p] = ow·sw + kw·dw` are the row and column
 * in the padded image, and `d[r] = c` is the channel.
 */
export interface IndexMatrices {
  rows: number;
  columns: number;
  i: Int32Array;
  j: Int32Array;
  d: Int32Array;
}

/**
 * Builds i, j, d for an input of shape `xShape` (`[N, C, H, W]`; N is ignored, the matrices are the
 * same for every image) and a `KH×KW` kernel. Built the numpy way: a per-row offset (repeat/tile of
 * the kernel positions) plus a per-column offset (repeat/tile of the window origins).
 */
export function im2colIndices(
  xShape: readonly number[],
  kernel: readonly [number, number] | readonly number[],
  opts: ConvOptions = {},
): IndexMatrices {
  const { C, KH, KW, sh, sw, dh, dw, OH, OW } = convGeometry(xShape, kernel, opts, 'im2colIndices');
  const rows = C * KH * KW;
  const columns = OH * OW;
  checkBufferSizes('im2colIndices', { 'each index matrix': [rows, columns] });
  const i = new Int32Array(rows * columns);
  const j = new Int32Array(rows * columns);
  const d = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const kh = Math.floor(r / KW) % KH; // repeat(arange(KH), KW), tiled C times
    const kw = r % KW; // tile(arange(KW), KH·C)
    d[r] = Math.floor(r / (KH * KW)); // repeat(arange(C), KH·KW)
    for (let p = 0; p < columns; p++) {
      const oh = Math.floor(p / OW); // repeat(arange(OH), OW)
      const ow = p % OW; // tile(arange(OW), OH)
      i[r * columns + p] = oh * sh + kh * dh;
      j[r * columns + p] = ow * sw + kw * dw;
    }
  }
  return { rows, columns, i, j, d };
}

/**
 * Fancy indexing with the index matrices: `cols[r][n·columns + p] = xpadded[n][d[r]][i[r][p]][j[r][p]]`,
 * giving exactly im2col's matrix `[C·KH·KW, N·OH·OW]`. `padding` is `[ph, pw]`, the zero border the
 * indices were built for.
 */
export function gatherWithIndices(x: Tensor, idx: IndexMatrices, padding: readonly [number, number]): Tensor {
  assertTensor('x', x, 4, '[N, C, H, W]');
  const [N, C, H, W] = x.shape;
  const maxChannel = idx.d.reduce((m, c) => Math.max(m, c), -1);
  if (maxChannel >= C) {
    throw new ConvConfigError(
      'x',
      `x has ${C} channels but the index matrices address channel ${maxChannel}; build them for shape ${describeValue(x.shape)}`,
    );
  }
  if (!Array.isArray(padding) || padding.length !== 2 || !padding.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new ConvConfigError('padding', `padding must be a [height, width] pair of non-negative integers, got ${describeValue(padding)}`);
  }
  const [ph, pw] = padding;
  const { rows, columns, i, j, d } = idx;
  const maxI = i.reduce((m, v) => Math.max(m, v), -1);
  const maxJ = j.reduce((m, v) => Math.max(m, v), -1);
  if (maxI >= H + 2 * ph || maxJ >= W + 2 * pw) {
    throw new ConvConfigError(
      'x',
      `the index matrices reach padded position (${maxI}, ${maxJ}) but x ${describeValue(x.shape)} with padding ${describeValue(padding)} is only ${H + 2 * ph}×${W + 2 * pw}; build them for this shape and padding`,
    );
  }
  const Q = N * columns;
  checkBufferSizes('gatherWithIndices', { 'the im2col matrix': [rows, Q] });
  const cols = new Float32Array(rows * Q);
  for (let r = 0; r < rows; r++) {
    for (let n = 0; n < N; n++) {
      const plane = (n * C + d[r]) * H * W;
      for (let p = 0; p < columns; p++) {
        const y = i[r * columns + p] - ph;
        const xx = j[r * columns + p] - pw;
        const inside = y >= 0 && y < H && xx >= 0 && xx < W;
        cols[r * Q + n * columns + p] = inside ? x.data[plane + y * W + xx] : 0;
      }
    }
  }
  return { shape: [rows, Q], data: cols };
}
