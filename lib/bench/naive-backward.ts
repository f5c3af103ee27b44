import type { ConvOptions } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import type { Conv2dGradients } from '../ops/conv2d-backward.ts';
import { checkConvArgs, checkOutputGradient } from '../ops/check-conv.ts';

/** Output positions `o` in `[0, count)` whose input index `o·step + offset` lies in `[0, size)`, as `[start, end)`. */
function insideRange(offset: number, step: number, size: number, count: number): [number, number] {
  const start = Math.max(0, Math.ceil(-offset / step));
  const end = Math.min(count, Math.floor((size - 1 - offset) / step) + 1);
  return [start, end];
}

/**
 * Backward pass of a convolution by direct nested loops, the partner of conv2dNaive in the speed
 * lesson's "nested loops" method. Given `dy` `[N, F, OH, OW]` for `y = conv(x, w, b, opts)` with
 * `x` `[N, C, H, W]` and `w` `[F, C, KH, KW]`, returns
 * - `db[f] = Σ_{n,oh,ow} dy[n][f][oh][ow]`,
 * - `dw[f][c][kh][kw] = Σ_{n,oh,ow} dy[n][f][oh][ow] · xpadded[n][c][oh·sh + kh·dh][ow·sw + kw·dw]`,
 * - `dx[n][c][y][x] = Σ w[f][c][kh][kw] · dy[n][f][oh][ow]` over every (f, kh, kw, oh, ow) whose
 *   window tap lands on pixel (y, x) (taps in the padding are dropped).
 *
 * One kernel tap at a time, along whole output rows (the loop order of conv2dNaive); sums are kept
 * in float64 and rounded to float32 once. No im2col matrix, no GEMM. Throws ConvConfigError for
 * invalid operands or a dy whose shape is not the forward output's.
 */
export function conv2dBackwardNaive(dy: Tensor, x: Tensor, w: Tensor, opts: ConvOptions = {}): Conv2dGradients {
  const g = checkConvArgs(x, w, null, opts);
  checkOutputGradient(dy, g);
  const { N, C, H, W, F, KH, KW, sh, sw, ph, pw, dh, dw: dwStep, OH, OW } = g;
  const xs = x.data;
  const ws = w.data;
  const dys = dy.data;
  const dx = new Float64Array(N * C * H * W);
  const dw = new Float64Array(F * C * KH * KW);
  const db = new Float64Array(F);
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      const dyPlane = (n * F + f) * OH * OW;
      let sum = 0;
      for (let k = dyPlane; k < dyPlane + OH * OW; k++) sum += dys[k];
      db[f] += sum;
      for (let c = 0; c < C; c++) {
        const image = (n * C + c) * H * W;
        for (let kh = 0; kh < KH; kh++) {
          for (let kw = 0; kw < KW; kw++) {
            const tap = ((f * C + c) * KH + kh) * KW + kw;
            const weight = ws[tap];
            const xOffset = kw * dwStep - pw; // input column of output column ow is ow·sw + xOffset
            const [owStart, owEnd] = insideRange(xOffset, sw, W, OW);
            let grad = 0;
            for (let oh = 0; oh < OH; oh++) {
              const y = oh * sh + kh * dh - ph;
              if (y < 0 || y >= H) continue;
              const row = image + y * W + xOffset;
              const o = dyPlane + oh * OW;
              for (let ow = owStart; ow < owEnd; ow++) {
                const g1 = dys[o + ow];
                grad += g1 * xs[row + ow * sw];
                dx[row + ow * sw] += weight * g1;
              }
            }
            dw[tap] += grad;
          }
        }
      }
    }
  }
  return {
    dx: { shape: [N, C, H, W], data: Float32Array.from(dx) },
    dw: { shape: [F, C, KH, KW], data: Float32Array.from(dw) },
    db: { shape: [F], data: Float32Array.from(db) },
  };
}
