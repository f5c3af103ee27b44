import type { ConvOptions } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { ConvConfigError } from '../errors.ts';
import { checkConvArgs } from './check-conv.ts';

/** Largest convolution matrix built, in entries: it is for tiny teaching examples. */
export const MAX_CONVOLUTION_MATRIX_ENTRIES = 1 << 20;

/**
 * The convolution as one explicit matrix: for a single image `x` `[1, C, H, W]` and kernel `w`
 * `[F, C, KH, KW]`, the matrix `M` `[F·OH·OW, C·H·W]` with `vec(conv2d(x, w, null, opts)) = M · vec(x)`
 * (vec = the NCHW buffer). Row `(f·OH + oh)·OW + ow` holds the kernel of filter f placed over that
 * window: `M[row][(c·H + y)·W + x] = w[f][c][kh][kw]` with `y = oh·sh − ph + kh·dh`,
 * `x = ow·sw − pw + kw·dw` (taps on the padding have no column). Its transpose `Mᵀ` is the matrix of
 * conv2dTranspose with the same w and options (outputPadding 0). Throws ConvConfigError for invalid
 * operands, N ≠ 1, or a matrix of more than MAX_CONVOLUTION_MATRIX_ENTRIES entries.
 */
export function convolutionMatrix(x: Tensor, w: Tensor, opts: ConvOptions = {}): Tensor {
  const g = checkConvArgs(x, w, null, opts, 'convolutionMatrix');
  const { N, C, H, W, F, KH, KW, OH, OW, sh, sw, ph, pw, dh, dw } = g;
  if (N !== 1) throw new ConvConfigError('x', `convolutionMatrix takes one image (N = 1), got N = ${N}`);
  const rows = F * OH * OW;
  const columns = C * H * W;
  if (rows * columns > MAX_CONVOLUTION_MATRIX_ENTRIES) {
    throw new ConvConfigError(
      'x',
      `the convolution matrix would be ${rows}×${columns} = ${rows * columns} entries, more than ${MAX_CONVOLUTION_MATRIX_ENTRIES}; use a smaller example`,
    );
  }
  const m = new Float32Array(rows * columns);
  for (let f = 0; f < F; f++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const row = (f * OH + oh) * OW + ow;
        for (let c = 0; c < C; c++) {
          for (let kh = 0; kh < KH; kh++) {
            const y = oh * sh - ph + kh * dh;
            if (y < 0 || y >= H) continue;
            for (let kw = 0; kw < KW; kw++) {
              const xx = ow * sw - pw + kw * dw;
              if (xx < 0 || xx >= W) continue;
              m[row * columns + (c * H + y) * W + xx] = w.data[((f * C + c) * KH + kh) * KW + kw];
            }
          }
        }
      }
    }
  }
  return { shape: [rows, columns], data: m };
}
