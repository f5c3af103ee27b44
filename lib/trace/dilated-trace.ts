import type { ConvOptions } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { checkConvShapes, checkOutputGradient } from '../ops/check-conv.ts';
import type { DilatedPlan, Sides } from '../ops/dilated.ts';
import { dilatedInputGradient } from '../ops/dilated.ts';
import { checkOptions } from '../options.ts';

/**
 * One product of the final convolution: padded gradient `padded[n][f][y][x]` (`gradient`) times
 * rotated kernel `rotated[c][f][kh][kw]` (`weight`), with `y = i + kh·dh`, `x = j + kw·dw`.
 */
export interface DilatedTerm {
  f: number;
  kh: number;
  kw: number;
  y: number;
  x: number;
  gradient: number;
  weight: number;
  product: number;
}

/**
 * One output cell `fullConv[n][c][i][j]` of the final convolution: the window of the padded
 * gradient with top-left corner `(i, j)` meets the rotated kernel. `terms` are listed in the order
 * the engine sums them (f, then kh, then kw); `value` is the engine's result. `dx` is the cell's
 * position in the input gradient after cropping, or null when the cell lies in the cropped
 * border (the forward padding).
 */
export interface DilatedCellStep {
  n: number;
  c: number;
  i: number;
  j: number;
  terms: DilatedTerm[];
  value: number;
  dx: [number, number] | null;
}

/** The dilated method's stages for the animation (NCHW tensors, see lib/ops/dilated.ts). */
export interface DilatedTrace {
  plan: DilatedPlan;
  /** The output gradient as given, `[N, F, OH, OW]`. */
  dy: Tensor;
  /** dy with stride − 1 zeros between entries. */
  dilated: Tensor;
  /** The dilated dy padded by `pad`. */
  padded: Tensor;
  /** The kernel rotated 180°, F and C swapped: `[C, F, KH, KW]`. */
  rotated: Tensor;
  /** The convolution of padded with rotated before cropping: `[N, C, HP, WP]`. */
  fullConv: Tensor;
  /** fullConv cropped by `crop`: the input gradient `[N, C, H, W]`. */
  dx: Tensor;
  pad: Sides;
  crop: Sides;
  /** Dilation of the final convolution (the forward dilation): `[dh, dw]`. */
  dilation: [number, number];
  /** Per-cell steps of the final convolution, or null when they would exceed `maxTerms`. */
  cells: DilatedCellStep[] | null;
}

/** Options of traceDilatedBackward: the most products to list in `cells` (default 20000). */
export interface DilatedTraceOptions {
  maxTerms?: number;
}

/**
 * Traces the dilated input gradient of `y = conv2d(x, w, ·, opts)` for an input of shape
 * `xShape` and output gradient `dy` (`[N, F, OH, OW]`): every stage is computed by the same
 * functions conv2dBackward(…, { method: 'dilated' }) uses, so `trace.dx` equals its dx bit for
 * bit. For small inputs (at most `maxTerms` products) it also lists, per output cell of the final
 * convolution, the window and the products that make it. Throws ConvConfigError for invalid
 * operands or a dy of the wrong shape.
 */
export function traceDilatedBackward(
  dy: Tensor,
  w: Tensor,
  xShape: readonly number[],
  opts: ConvOptions = {},
  traceOpts: DilatedTraceOptions = {},
): DilatedTrace {
  const g = checkConvShapes(xShape, w, null, opts, 'traceDilatedBackward');
  checkOutputGradient(dy, g);
  const maxTerms = checkOptions<DilatedTraceOptions>('traceDilatedBackward', traceOpts, ['maxTerms'], 'traceOpts').maxTerms ?? 20000;
  if (typeof maxTerms !== 'number' || !(maxTerms >= 0)) {
    throw new ConvConfigError('maxTerms', `maxTerms must be a non-negative number, got ${describeValue(maxTerms)}`);
  }
  const stages = dilatedInputGradient(dy, w, g);
  const { plan, padded, rotated, fullConv } = stages;
  const { N, C, F, KH, KW, dh, dw, ph, pw, H, W } = g;
  const [HP, WP] = plan.full;
  const [PH, PW] = [padded.shape[2], padded.shape[3]];

  let cells: DilatedCellStep[] | null = null;
  if (N * C * HP * WP * F * KH * KW <= maxTerms) {
    cells = [];
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        for (let i = 0; i < HP; i++) {
          for (let j = 0; j < WP; j++) {
            const terms: DilatedTerm[] = [];
            for (let f = 0; f < F; f++) {
              for (let kh = 0; kh < KH; kh++) {
                for (let kw = 0; kw < KW; kw++) {
                  const y = i + kh * dh;
                  const x = j + kw * dw;
                  const gradient = padded.data[((n * F + f) * PH + y) * PW + x];
                  const weight = rotated.data[((c * F + f) * KH + kh) * KW + kw];
                  terms.push({ f, kh, kw, y, x, gradient, weight, product: gradient * weight });
                }
              }
            }
            const yi = i - ph;
            const xj = j - pw;
            const inside = yi >= 0 && yi < H && xj >= 0 && xj < W;
            cells.push({
              n,
              c,
              i,
              j,
              terms,
              value: fullConv.data[((n * C + c) * HP + i) * WP + j],
              dx: inside ? [yi, xj] : null,
            });
          }
        }
      }
    }
  }

  return {
    plan,
    dy,
    dilated: stages.dilated,
    padded,
    rotated,
    fullConv,
    dx: stages.dx,
    pad: plan.pad,
    crop: plan.crop,
    dilation: [dh, dw],
    cells,
  };
}
