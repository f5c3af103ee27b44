import type { ConvGeometry, Pair } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { conv2d } from './conv2d.ts';

/*
 * The steps of the "dilated" input gradient of a convolution: the gradient dX is a full
 * convolution of the output gradient dY with the kernel rotated 180°. Spelled out:
 * dilate dY by the stride, pad it by the dilated kernel's reach, convolve (stride 1) with the
 * rotated kernel whose F and C axes are swapped, and crop the forward padding off the result.
 * Each step is a small pure function so the op and its trace run the very same code.
 */

/** Amounts per side of an NCHW tensor's H and W axes. */
export interface Sides {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

function checkAmount(name: string, value: number, min: number, allowed: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ConvConfigError(name, `${name} must be ${allowed}, got ${describeValue(value)}`);
  }
}

/**
 * Inserts `s − 1` zeros between neighbouring entries along H and W of an NCHW tensor:
 * `[N, C, H, W]` → `[N, C, (H−1)·sh + 1, (W−1)·sw + 1]`, with `out[n][c][i·sh][j·sw] = t[n][c][i][j]`
 * and zeros elsewhere. A stride of 1 leaves the values as they are (in a new buffer).
 */
export function dilateTensor(t: Tensor, stride: Pair): Tensor {
  assertTensor('t', t, 4, '[N, C, H, W]');
  const [sh, sw] = stride;
  checkAmount('stride', sh, 1, 'a positive integer');
  checkAmount('stride', sw, 1, 'a positive integer');
  const [N, C, H, W] = t.shape;
  const DH = (H - 1) * sh + 1;
  const DW = (W - 1) * sw + 1;
  const out = new Float32Array(N * C * DH * DW);
  for (let plane = 0; plane < N * C; plane++) {
    for (let i = 0; i < H; i++) {
      const src = (plane * H + i) * W;
      const dst = (plane * DH + i * sh) * DW;
      for (let j = 0; j < W; j++) out[dst + j * sw] = t.data[src + j];
    }
  }
  return { shape: [N, C, DH, DW], data: out };
}

/**
 * Surrounds every H×W plane of an NCHW tensor with zeros: `[top, bottom]` rows and
 * `[left, right]` columns → `[N, C, top + H + bottom, left + W + right]`.
 */
export function padTensor(t: Tensor, rows: Pair, columns: Pair): Tensor {
  assertTensor('t', t, 4, '[N, C, H, W]');
  const [top, bottom] = rows;
  const [left, right] = columns;
  for (const [name, v] of [
    ['top', top],
    ['bottom', bottom],
    ['left', left],
    ['right', right],
  ] as const) {
    checkAmount(`padding ${name}`, v, 0, 'a non-negative integer');
  }
  const [N, C, H, W] = t.shape;
  const PH = top + H + bottom;
  const PW = left + W + right;
  const out = new Float32Array(N * C * PH * PW);
  for (let plane = 0; plane < N * C; plane++) {
    for (let i = 0; i < H; i++) {
      const src = (plane * H + i) * W;
      out.set(t.data.subarray(src, src + W), (plane * PH + top + i) * PW + left);
    }
  }
  return { shape: [N, C, PH, PW], data: out };
}

/**
 * Removes `[top, bottom]` rows and `[left, right]` columns from every H×W plane of an NCHW tensor
 * (the inverse of padTensor): `[N, C, H, W]` → `[N, C, H − top − bottom, W − left − right]`.
 * Throws ConvConfigError when nothing would remain.
 */
export function cropTensor(t: Tensor, rows: Pair, columns: Pair): Tensor {
  assertTensor('t', t, 4, '[N, C, H, W]');
  const [top, bottom] = rows;
  const [left, right] = columns;
  for (const [name, v] of [
    ['top', top],
    ['bottom', bottom],
    ['left', left],
    ['right', right],
  ] as const) {
    checkAmount(`crop ${name}`, v, 0, 'a non-negative integer');
  }
  const [N, C, H, W] = t.shape;
  const CH = H - top - bottom;
  const CW = W - left - right;
  if (CH < 1 || CW < 1) {
    throw new ConvConfigError(
      'crop',
      `crop rows ${describeValue(rows)} and columns ${describeValue(columns)} must leave at least 1×1 of a ${H}×${W} plane, got ${CH}×${CW}`,
    );
  }
  const out = new Float32Array(N * C * CH * CW);
  for (let plane = 0; plane < N * C; plane++) {
    for (let i = 0; i < CH; i++) {
      const src = (plane * H + top + i) * W + left;
      out.set(t.data.subarray(src, src + CW), (plane * CH + i) * CW);
    }
  }
  return { shape: [N, C, CH, CW], data: out };
}

/**
 * Rotates every kernel 180° (flips KH and KW) and swaps the filter and channel axes:
 * `w` `[F, C, KH, KW]` → `[C, F, KH, KW]` with `out[c][f][i][j] = w[f][c][KH−1−i][KW−1−j]`.
 * Convolving with it maps gradients of the F output channels back onto the C input channels.
 */
export function rotateKernel180(w: Tensor): Tensor {
  assertTensor('w', w, 4, '[F, C, KH, KW]');
  const [F, C, KH, KW] = w.shape;
  const out = new Float32Array(w.data.length);
  for (let f = 0; f < F; f++) {
    for (let c = 0; c < C; c++) {
      const src = (f * C + c) * KH * KW;
      const dst = (c * F + f) * KH * KW;
      for (let i = 0; i < KH; i++) {
        for (let j = 0; j < KW; j++) {
          out[dst + i * KW + j] = w.data[src + (KH - 1 - i) * KW + (KW - 1 - j)];
        }
      }
    }
  }
  return { shape: [C, F, KH, KW], data: out };
}

/**
 * The sizes of every stage of the dilated method for one forward geometry:
 * - `dilated`: dY after dilation, `[(OH−1)·sh + 1, (OW−1)·sw + 1]`;
 * - `pad`: zeros around it, `EK − 1` on each side (the dilated kernel's reach) plus, at the
 *   bottom/right, `uncovered` extra rows/columns: the last `(H + 2p − EK) mod s` rows/columns of
 *   the padded input that no window reached in the forward pass (their gradient is zero);
 * - `full`: the full convolution's output, the padded input's size `[HP, WP]`;
 * - `crop`: the forward padding `ph`, `pw` removed from each side of it, leaving `H×W`.
 */
export interface DilatedPlan {
  dilated: Pair;
  pad: Sides;
  uncovered: Pair;
  full: Pair;
  crop: Sides;
}

/** Works out the dilated method's stage sizes for a forward geometry (see DilatedPlan). */
export function dilatedPlan(g: ConvGeometry): DilatedPlan {
  const { sh, sw, ph, pw, HP, WP, EKH, EKW, OH, OW } = g;
  const uncoveredH = HP - ((OH - 1) * sh + EKH);
  const uncoveredW = WP - ((OW - 1) * sw + EKW);
  return {
    dilated: [(OH - 1) * sh + 1, (OW - 1) * sw + 1],
    pad: { top: EKH - 1, bottom: EKH - 1 + uncoveredH, left: EKW - 1, right: EKW - 1 + uncoveredW },
    uncovered: [uncoveredH, uncoveredW],
    full: [HP, WP],
    crop: { top: ph, bottom: ph, left: pw, right: pw },
  };
}

/** What the dilated method's full convolution costs next to col2im's matrix product (dense work). */
export interface DilatedCost {
  /** Multiply-adds of the full convolution: `N·C·HP·WP · F·KH·KW`. */
  readonly dilatedMacs: number;
  /** Multiply-adds of col2im's `W_rowᵀ × dY_row`: `C·KH·KW · N·OH·OW · F`. */
  readonly col2imMacs: number;
  /** dilatedMacs / col2imMacs = `HP·WP / (OH·OW)`, about stride² plus the border. */
  readonly ratio: number;
  /** Bytes of the full convolution's im2col matrix `[F·KH·KW, N·HP·WP]` in float32. */
  readonly colsBytes: number;
}

/** The dilated method's work and memory for a forward geometry `g` with `F` filters. */
export function dilatedCost(g: ConvGeometry, F: number): DilatedCost {
  const { N, C, KH, KW, HP, WP, OH, OW } = g;
  const dilatedMacs = N * C * HP * WP * F * KH * KW;
  const col2imMacs = C * KH * KW * N * OH * OW * F;
  return { dilatedMacs, col2imMacs, ratio: dilatedMacs / col2imMacs, colsBytes: 4 * F * KH * KW * N * HP * WP };
}

/** Every intermediate tensor of the dilated method (NCHW unless noted). */
export interface DilatedStages {
  plan: DilatedPlan;
  /** dY after inserting stride − 1 zeros: `[N, F, …plan.dilated]`. */
  dilated: Tensor;
  /** The dilated dY padded by plan.pad: `[N, F, …]`. */
  padded: Tensor;
  /** The kernel rotated 180° with F and C swapped: `[C, F, KH, KW]`. */
  rotated: Tensor;
  /** conv2d(padded, rotated, stride 1, forward dilation): the gradient of the padded input `[N, C, HP, WP]`. */
  fullConv: Tensor;
  /** fullConv with the forward padding cropped: the input gradient `[N, C, H, W]`. */
  dx: Tensor;
}

/**
 * The input gradient of a convolution by the dilated method, keeping every stage. `dy` is
 * `[N, F, OH, OW]`, `w` `[F, C, KH, KW]`, `g` the forward geometry (shapes are assumed checked).
 * The convolution step is conv2d itself (im2col + GEMM).
 */
export function dilatedInputGradient(dy: Tensor, w: Tensor, g: ConvGeometry): DilatedStages {
  const plan = dilatedPlan(g);
  const dilated = dilateTensor(dy, [g.sh, g.sw]);
  const padded = padTensor(dilated, [plan.pad.top, plan.pad.bottom], [plan.pad.left, plan.pad.right]);
  const rotated = rotateKernel180(w);
  const fullConv = conv2d(padded, rotated, null, { stride: 1, padding: 0, dilation: [g.dh, g.dw] });
  const dx = cropTensor(fullConv, [plan.crop.top, plan.crop.bottom], [plan.crop.left, plan.crop.right]);
  return { plan, dilated, padded, rotated, fullConv, dx };
}
