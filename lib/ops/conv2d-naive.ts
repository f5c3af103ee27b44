import type { ConvOptions } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { checkConvArgs } from './check-conv.ts';

/**
 * The output positions `o` in `[0, count)` whose input index `o·step + offset` lies inside
 * `[0, size)`, as a half-open range `[start, end)` (empty when `end ≤ start`).
 */
function insideRange(offset: number, step: number, size: number, count: number): [number, number] {
  const start = Math.max(0, Math.ceil(-offset / step));
  const end = Math.min(count, Math.floor((size - 1 - offset) / step) + 1);
  return [start, end];
}

/**
 * 2-D convolution by direct loops: the reference the im2col version is tested (and timed) against.
 * Same contract as conv2d: `x` `[N, C, H, W]`, `w` `[F, C, KH, KW]`, `b` `[F]` or null →
 * `[N, F, OH, OW]`, `y[n][f][oh][ow] = b[f] + Σ_{c,kh,kw} w[f][c][kh][kw] ·
 * xpadded[n][c][oh·sh + kh·dh][ow·sw + kw·dw]`.
 *
 * For each output plane it adds one kernel tap at a time: the weight `w[f][c][kh][kw]` times the
 * input row it meets, along a whole output row; taps that fall in the zero padding are skipped.
 * Sums are kept in float64 and rounded to float32 once.
 */
export function conv2dNaive(x: Tensor, w: Tensor, b: Tensor | null, opts: ConvOptions = {}): Tensor {
  const { N, C, H, W, F, KH, KW, sh, sw, ph, pw, dh, dw, OH, OW } = checkConvArgs(x, w, b, opts, 'conv2dNaive');
  const xs = x.data;
  const ws = w.data;
  const out = new Float32Array(N * F * OH * OW);
  const plane = new Float64Array(OH * OW);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      plane.fill(b ? b.data[f] : 0);
      for (let c = 0; c < C; c++) {
        const image = (n * C + c) * H * W;
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            const weight = ws[((f * C + c) * KH + kh) * KW + kw];
            const xOffset = kw * dw - pw; // input column of output column ow is ow·sw + xOffset
            const [owStart, owEnd] = insideRange(xOffset, sw, W, OW);
            for (let oh = 0; oh < OH; oh++) {
              const y = oh * sh + kh * dh - ph;
              if (y < 0 || y >= H) continue;
              const row = image + y * W + xOffset;
              const o = oh * OW;
              for (let ow = owStart; ow < owEnd; ow++) plane[o + ow] += weight * xs[row + ow * sw];
            }
          }
        }
      }
      out.set(plane, (n * F + f) * OH * OW);
    }
  }
  return { shape: [N, F, OH, OW], data: out };
}
