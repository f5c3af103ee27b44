import type { Tensor } from '../tensor.ts';
import type { Sides } from './dilated.ts';
import { cropTensor, dilateTensor, padTensor, rotateKernel180 } from './dilated.ts';
import { conv2d } from './conv2d.ts';
import type { ConvTransposeOptions } from './conv2d-transpose.ts';
import { addChannelBias, checkConvTransposeArgs } from './conv2d-transpose.ts';

/**
 * Every stage of a transposed convolution computed by zero insertion, the textbook picture
 * (and lesson 8's dilated method run forwards):
 * - `dilated`: x with stride − 1 zeros between neighbours, `[N, F, (H−1)·sh + 1, (W−1)·sw + 1]`;
 * - `border`: zeros added around it per side, `dh·(KH − 1) − ph` (plus `oph` at the bottom,
 *   likewise for the columns); a negative amount means that many rows/columns are cut instead;
 * - `bordered`: the dilated x with that border;
 * - `rotated`: the kernel rotated 180° with F and C swapped, `[C, F, KH, KW]`;
 * - `y`: conv2d(bordered, rotated, stride 1, the same dilation) plus the bias, `[N, C, OH, OW]`,
 *   equal to conv2dTranspose(x, w, b, opts) to float rounding.
 */
export interface ZeroInsertionStages {
  dilated: Tensor;
  border: Sides;
  bordered: Tensor;
  rotated: Tensor;
  y: Tensor;
}

/**
 * Transposed convolution by zero insertion (see ZeroInsertionStages); the same operands and
 * errors as conv2dTranspose. The engine's conv2dTranspose uses col2im instead: this method
 * multiplies by every inserted zero, about sh·sw times the work at stride s.
 */
export function conv2dTransposeByZeroInsertion(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  opts: ConvTransposeOptions = {},
): ZeroInsertionStages {
  const s = checkConvTransposeArgs(x, w, b, opts, 'conv2dTransposeByZeroInsertion');
  const { sh, sw, ph, pw, dh, dw, EKH, EKW } = s.forward;
  const [oph, opw] = s.outputPadding;
  const border: Sides = {
    top: EKH - 1 - ph,
    bottom: EKH - 1 - ph + oph,
    left: EKW - 1 - pw,
    right: EKW - 1 - pw + opw,
  };
  const dilated = dilateTensor(x, [sh, sw]);
  const grow = (v: number) => Math.max(0, v);
  const cut = (v: number) => Math.max(0, -v);
  let bordered = padTensor(dilated, [grow(border.top), grow(border.bottom)], [grow(border.left), grow(border.right)]);
  if (border.top < 0 || border.bottom < 0 || border.left < 0 || border.right < 0) {
    bordered = cropTensor(bordered, [cut(border.top), cut(border.bottom)], [cut(border.left), cut(border.right)]);
  }
  const rotated = rotateKernel180(w);
  const y = conv2d(bordered, rotated, null, { stride: 1, padding: 0, dilation: [dh, dw] });
  if (b) addChannelBias(y.data, b.data, s.N, s.C, s.OH * s.OW);
  return { dilated, border, bordered, rotated, y };
}
