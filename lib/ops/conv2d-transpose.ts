import type { ConvGeometry, ConvOptions, Pair } from '../geometry.ts';
import { CONV_OPTION_KEYS, convGeometry, resolveConvOptions } from '../geometry.ts';
import { checkOptions } from '../options.ts';
import { checkBufferSizes } from '../buffer-limit.ts';
import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { col2imInto } from '../im2col/col2im.ts';
import { gemmInto } from '../gemm.ts';
import { nchwToRows } from './conv2d.ts';

/**
 * Options of a transposed convolution: those of the convolution it transposes, plus
 * `outputPadding` (a number or `[height, width]`, default 0): extra rows/columns added at the
 * bottom/right of the output, which picks one of the several output sizes a strided convolution
 * maps onto the same input size. Each axis must be smaller than max(stride, dilation) on it.
 */
export interface ConvTransposeOptions extends ConvOptions {
  outputPadding?: number | Pair;
}

/**
 * The shapes of one transposed convolution of `x` `[N, F, H, W]` with `w` `[F, C, KH, KW]`.
 * `forward` is the geometry of the convolution it transposes: that convolution reads an image
 * `[N, C, OH, OW]` (the transposed output) and its windows are the `H×W` pixels of x, so
 * `forward.OH = H`, `forward.OW = W` (even when the output padding makes the forward formula give
 * one more). `OH = (H − 1)·sh − 2·ph + dh·(KH − 1) + oph + 1`, likewise OW.
 */
export interface ConvTransposeShapes {
  N: number;
  F: number;
  C: number;
  H: number;
  W: number;
  OH: number;
  OW: number;
  outputPadding: Pair;
  forward: ConvGeometry;
}

const OPTION_KEYS: readonly string[] = [...CONV_OPTION_KEYS, 'outputPadding'];

function splitOutputPadding(value: unknown): Pair {
  if (value === undefined) return [0, 0];
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2) return [value[0], value[1]];
  throw new ConvConfigError('outputPadding', `outputPadding must be a number or a [height, width] pair, got ${describeValue(value)}`);
}

/**
 * Checks the operands of conv2dTranspose and returns its shapes (see ConvTransposeShapes).
 * Throws ConvConfigError naming the parameter for: x or w not a 4-D tensor; x's channels (axis 1)
 * not w's first axis F; a bias whose length is not C; stride, padding or dilation out of range
 * (as for conv2d); an outputPadding that is negative, fractional or not smaller than
 * max(stride, dilation); and a padding so large that the output would be empty. `caller` names
 * the calling op in messages.
 */
export function checkConvTransposeArgs(
  x: Tensor,
  w: Tensor,
  b: Tensor | null,
  opts: ConvTransposeOptions = {},
  caller = 'conv2dTranspose',
): ConvTransposeShapes {
  assertTensor('x', x, 4, '[N, F, H, W]');
  assertTensor('w', w, 4, '[F, C, KH, KW]');
  const options = checkOptions<ConvTransposeOptions>(caller, opts, OPTION_KEYS);
  const [N, FX, H, W] = x.shape;
  const [F, C, KH, KW] = w.shape;
  if (FX !== F) {
    throw new ConvConfigError(
      'w',
      `w has ${F} filter${F === 1 ? '' : 's'} but x has ${FX} channel${FX === 1 ? '' : 's'}: w ${describeValue(w.shape)} [F, C, KH, KW] must match x ${describeValue(x.shape)} [N, F, H, W] in F`,
    );
  }
  if (b !== null && b !== undefined) {
    assertTensor('b', b, 1, '[C]');
    if (b.shape[0] !== C) {
      throw new ConvConfigError(
        'b',
        `b must have one entry per output channel, length C = ${C} for w ${describeValue(w.shape)}, got length ${b.shape[0]}`,
      );
    }
  }
  const { stride, padding, dilation } = resolveConvOptions(
    { stride: options.stride, padding: options.padding, dilation: options.dilation },
    caller,
  );
  const outputPadding = splitOutputPadding(options.outputPadding);
  const sizes: number[] = [];
  for (let axis = 0; axis < 2; axis++) {
    const op = outputPadding[axis];
    const limit = Math.max(stride[axis], dilation[axis]);
    const label = Array.isArray(options.outputPadding) ? `outputPadding (${axis === 0 ? 'height' : 'width'})` : 'outputPadding';
    if (typeof op !== 'number' || !Number.isInteger(op) || op < 0 || op >= limit) {
      throw new ConvConfigError(
        'outputPadding',
        `${label} must be an integer from 0 to ${limit - 1} (below max(stride, dilation) = ${limit}), got ${describeValue(op)}`,
      );
    }
    const inSize = axis === 0 ? H : W;
    const k = axis === 0 ? KH : KW;
    const size = (inSize - 1) * stride[axis] - 2 * padding[axis] + dilation[axis] * (k - 1) + op + 1;
    if (size < 1) {
      throw new ConvConfigError(
        'padding',
        `padding ${padding[axis]} is too large: the ${axis === 0 ? 'height' : 'width'} of the output would be (${inSize} − 1)·${stride[axis]} − 2·${padding[axis]} + ${dilation[axis]}·(${k} − 1) + ${op} + 1 = ${size}, it must be at least 1`,
      );
    }
    sizes.push(size);
  }
  const [OH, OW] = sizes;
  const geometry = convGeometry([N, C, OH, OW], [KH, KW], { stride, padding, dilation });
  // With outputPadding ≥ stride (allowed when dilation > stride) the forward formula counts one
  // more window than x has pixels; the transpose has exactly H×W windows, one per pixel of x.
  const forward: ConvGeometry = { ...geometry, OH: H, OW: W };
  checkBufferSizes(caller, { 'the stamp matrix W_rowᵀ·X_row': [C * KH * KW, N * H * W], 'the output': [N, C, OH, OW] });
  return { N, F, C, H, W, OH, OW, outputPadding, forward };
}

/**
 * Transposed convolution: `x` `[N, F, H, W]`, `w` `[F, C, KH, KW]` (the very kernel of the
 * convolution it transposes, PyTorch's ConvTranspose2d weight layout), `b` `[C]` or null →
 * `[N, C, OH, OW]` with `OH = (H − 1)·sh − 2·ph + dh·(KH − 1) + oph + 1` (likewise OW).
 *
 * Computed with the same two engine calls as a convolution's input gradient: `cols = W_rowᵀ × X_row`
 * (`[C·KH·KW, N·H·W]`: column q is pixel q of x, stamped through the kernel), then col2im of cols
 * into the output, where overlapping stamps sum and stamps that land in the padding are dropped.
 * It is the adjoint of `conv2d(·, w, null, opts)`: ⟨conv2dTranspose(x, w), z⟩ = ⟨x, conv2d(z, w)⟩.
 * Throws ConvConfigError for invalid operands (see checkConvTransposeArgs).
 */
export function conv2dTranspose(x: Tensor, w: Tensor, b: Tensor | null, opts: ConvTransposeOptions = {}): Tensor {
  const s = checkConvTransposeArgs(x, w, b, opts);
  const out = new Float32Array(s.N * s.C * s.OH * s.OW);
  col2imInto(transposeColumns(x, w, s), s.forward, out);
  if (b) addChannelBias(out, b.data, s.N, s.C, s.OH * s.OW);
  return { shape: [s.N, s.C, s.OH, s.OW], data: out };
}

/**
 * The stamps of a transposed convolution before they are folded: `W_rowᵀ × X_row`, shape
 * `[C·KH·KW, N·H·W]`, row `r = (c·KH + kh)·KW + kw`, column `q = (n·H + i)·W + j`, entry
 * `Σ_f w[f][c][kh][kw] · x[n][f][i][j]`. Shapes are assumed checked.
 */
export function transposeColumns(x: Tensor, w: Tensor, s: ConvTransposeShapes): Float32Array {
  const K = s.C * s.forward.KH * s.forward.KW;
  const Q = s.N * s.H * s.W;
  const xRows = nchwToRows(x.data, s.N, s.F, s.H * s.W);
  const cols = new Float32Array(K * Q);
  gemmInto(K, Q, s.F, w.data, true, xRows, false, cols);
  return cols;
}

/** Adds `bias[c]` to every value of channel c of an NCHW buffer `[N, C, P]`, in place. */
export function addChannelBias(data: Float32Array, bias: Float32Array, N: number, C: number, P: number): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const add = bias[c];
      const start = (n * C + c) * P;
      for (let p = start; p < start + P; p++) data[p] += add;
    }
  }
}
