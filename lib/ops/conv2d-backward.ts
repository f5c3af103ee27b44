import type { ConvOptions } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { im2colInto } from '../im2col/im2col.ts';
import { col2imInto } from '../im2col/col2im.ts';
import { gemmInto } from '../gemm.ts';
import type { BackwardMethod } from './check-conv.ts';
import { checkBackwardMethod, checkConvArgs, checkOutputGradient } from './check-conv.ts';
import { nchwToRows } from './conv2d.ts';
import { dilatedInputGradient } from './dilated.ts';
import { checkOptions } from '../options.ts';
import { checkBufferSizes } from '../buffer-limit.ts';

/** Options of conv2dBackward: how to compute the input gradient (default 'col2im'). */
export interface Conv2dBackwardOptions {
  method?: BackwardMethod;
}

/** Gradients of a convolution: `dx` like x `[N, C, H, W]`, `dw` like w `[F, C, KH, KW]`, `db` `[F]`. */
export interface Conv2dGradients {
  dx: Tensor;
  dw: Tensor;
  db: Tensor;
}

/**
 * Backward pass of conv2d: given the output gradient `dy` (`[N, F, OH, OW]`) of
 * `y = conv2d(x, w, b, opts)`, returns the gradients of x, w and b.
 *
 * With `dY_row` = dy read as `[F, N·OH·OW]` and `cols = im2col(x)` (`[C·KH·KW, N·OH·OW]`):
 * - `db[f]` = the sum of row f of dY_row (every image, every position);
 * - `dw` = `dY_row × colsᵀ` (`[F, C·KH·KW]`, read as `[F, C, KH, KW]`);
 * - `dx`, method 'col2im': `col2im(W_rowᵀ × dY_row)`, overlapping patches summing;
 * - `dx`, method 'dilated': dy dilated by stride − 1 zeros, padded by the kernel's reach,
 *   convolved with the kernel rotated 180° (F and C swapped), padding cropped (see dilated.ts).
 * Both methods agree to float rounding. Throws ConvConfigError for invalid operands, a dy whose
 * shape is not the forward output's, or an unknown method.
 */
export function conv2dBackward(
  dy: Tensor,
  x: Tensor,
  w: Tensor,
  opts: ConvOptions = {},
  backward: Conv2dBackwardOptions = {},
): Conv2dGradients {
  const g = checkConvArgs(x, w, null, opts, 'conv2dBackward');
  checkOutputGradient(dy, g);
  const { method: requested } = checkOptions<Conv2dBackwardOptions>('conv2dBackward', backward, ['method'], 'backward');
  const method = checkBackwardMethod(requested ?? 'col2im');
  const { N, C, H, W, F, KH, KW, OH, OW } = g;
  const K = C * KH * KW;
  const P = OH * OW;
  const Q = N * P;
  checkBufferSizes('conv2dBackward', { 'the im2col matrix': [K, Q] });
  const dyRows = nchwToRows(dy.data, N, F, P);

  const db = new Float32Array(F);
  for (let f = 0; f < F; f++) {
    let sum = 0;
    for (let q = f * Q; q < (f + 1) * Q; q++) sum += dyRows[q];
    db[f] = sum;
  }

  const cols = new Float32Array(K * Q);
  im2colInto(x.data, g, cols);
  const dw = new Float32Array(F * K);
  gemmInto(F, K, Q, dyRows, false, cols, true, dw);

  let dx: Tensor;
  if (method === 'col2im') {
    const dcols = cols; // same shape [C·KH·KW, N·OH·OW]; the patches are no longer needed
    gemmInto(K, Q, F, w.data, true, dyRows, false, dcols);
    const data = new Float32Array(N * C * H * W);
    col2imInto(dcols, g, data);
    dx = { shape: [N, C, H, W], data };
  } else {
    dx = dilatedInputGradient(dy, w, g).dx;
  }
  return { dx, dw: { shape: [F, C, KH, KW], data: dw }, db: { shape: [F], data: db } };
}
