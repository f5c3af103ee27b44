import type { ConvGeometry, ConvOptions } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { checkBufferSizes } from '../buffer-limit.ts';

/**
 * One copy made by im2col: matrix cell `(row, column)` receives `value` from channel `c` of image
 * `n` at `(y, x)` in padded coordinates (subtract `ph, pw` for the unpadded pixel).
 * `padding` is true when that position lies in the zero border, so `value` is 0.
 */
export interface PatchCopy {
  row: number;
  column: number;
  n: number;
  c: number;
  kh: number;
  kw: number;
  oh: number;
  ow: number;
  y: number;
  x: number;
  value: number;
  padding: boolean;
}

/**
 * The im2col loop on raw buffers: fills `cols` (`[C·KH·KW, N·OH·OW]`, row-major) from `x`
 * (`[N, C, H, W]`). Row `r = (c·KH + kh)·KW + kw`, column `q = (n·OH + oh)·OW + ow`,
 * `cols[r][q] = xpadded[n][c][oh·sh + kh·dh][ow·sw + kw·dw]`. With `observe`, reports every copy
 * in the order it is made (row by row, then image, then output position).
 */
export function im2colInto(x: Float32Array, g: ConvGeometry, cols: Float32Array, observe?: (copy: PatchCopy) => void): void {
  const { N, C, H, W, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW } = g;
  const Q = N * OH * OW;
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const r = (c * KH + kh) * KW + kw;
        const rowBase = r * Q;
        for (let n = 0; n < N; n++) {
          const plane = (n * C + c) * H * W;
          for (let oh = 0; oh < OH; oh++) {
            const yp = oh * sh + kh * dh;
            const y = yp - ph;
            const inRow = y >= 0 && y < H;
            const src = plane + y * W;
            const dst = rowBase + (n * OH + oh) * OW;
            for (let ow = 0; ow < OW; ow++) {
              const xp = ow * sw + kw * dw;
              const xx = xp - pw;
              const inside = inRow && xx >= 0 && xx < W;
              const value = inside ? x[src + xx] : 0;
              cols[dst + ow] = value;
              if (observe) {
                observe({ row: r, column: dst - rowBase + ow, n, c, kh, kw, oh, ow, y: yp, x: xp, value, padding: !inside });
              }
            }
          }
        }
      }
    }
  }
}

/**
 * im2col: unrolls every receptive field of `x` (`[N, C, H, W]`) into one column of a matrix of
 * shape `[C·KH·KW, N·OH·OW]` (images side by side, see im2colInto for the exact layout).
 * Throws ConvConfigError for a bad tensor, kernel size or option.
 */
export function im2col(x: Tensor, kernel: readonly [number, number] | readonly number[], opts: ConvOptions = {}): Tensor {
  assertTensor('x', x, 4, '[N, C, H, W]');
  const g = convGeometry(x.shape, kernel, opts, 'im2col');
  const rows = g.C * g.KH * g.KW;
  const columns = g.N * g.OH * g.OW;
  checkBufferSizes('im2col', { 'the im2col matrix': [rows, columns] });
  const cols = new Float32Array(rows * columns);
  im2colInto(x.data, g, cols);
  return { shape: [rows, columns], data: cols };
}

/** Bytes of the im2col matrix for a geometry (float32): `4 · C·KH·KW · N·OH·OW`. */
export function im2colBytes(g: ConvGeometry): number {
  return 4 * g.C * g.KH * g.KW * g.N * g.OH * g.OW;
}
