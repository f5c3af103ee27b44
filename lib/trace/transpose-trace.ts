import type { Tensor } from '../tensor.ts';
import type { ScatterAdd } from '../im2col/col2im.ts';
import { col2imInto } from '../im2col/col2im.ts';
import type { ConvTransposeOptions, ConvTransposeShapes } from '../ops/conv2d-transpose.ts';
import { addChannelBias, checkConvTransposeArgs, transposeColumns } from '../ops/conv2d-transpose.ts';
import { assertTraceSize, resolveMaxEvents } from './patch-extraction.ts';
import { CONV_OPTION_KEYS } from '../geometry.ts';
import { checkOptions } from '../options.ts';

/**
 * One stamp of a transposed convolution: pixel `(i, j)` of image `n` of x (column
 * `column = (n·H + i)·W + j` of the stamp matrix) adds its kernel-weighted copy onto the output,
 * with its top-left corner at output position `(i·sh − ph, j·sw − pw)`. `inputs[f]` is
 * `x[n][f][i][j]`; `adds` are col2im's ScatterAdd events for this column, in the engine's order
 * (dropped: the stamp's entry fell into the cropped padding), each with the output value before
 * and after.
 */
export interface TransposeStamp {
  column: number;
  n: number;
  i: number;
  j: number;
  top: number;
  left: number;
  inputs: number[];
  adds: ScatterAdd[];
}

/**
 * A recorded transposed convolution. `cols` is `W_rowᵀ × X_row` (`[C·KH·KW, N·H·W]`); `stamps` the
 * col2im loop's columns in order (replaying them leaves `sum`, the output before the bias); `y` the
 * result with the bias, equal to conv2dTranspose; `overlap` (`[OH, OW]`) how many kernel taps of
 * one channel's stamps land on each output pixel — uneven counts are the checkerboard.
 */
export interface TransposeTrace {
  shapes: ConvTransposeShapes;
  cols: Tensor;
  stamps: TransposeStamp[];
  sum: Tensor;
  y: Tensor;
  overlap: Tensor;
}

/** Options of traceConv2dTranspose: the op's options and the most events to record. */
export interface TransposeTraceOptions extends ConvTransposeOptions {
  /** Most adds a trace may record (default 250 000). */
  maxEvents?: number;
}

/**
 * Traces conv2dTranspose(x, w, b, opts) by running the engine's own steps with an observer on the
 * col2im loop: one TransposeStamp per pixel of x. Throws ConvConfigError as conv2dTranspose does,
 * and when the trace would record more than `opts.maxEvents` adds.
 */
export function traceConv2dTranspose(x: Tensor, w: Tensor, b: Tensor | null, opts: TransposeTraceOptions = {}): TransposeTrace {
  const { maxEvents, ...convOpts } = checkOptions<TransposeTraceOptions>('traceConv2dTranspose', opts, [
    ...CONV_OPTION_KEYS,
    'outputPadding',
    'maxEvents',
  ]);
  const s = checkConvTransposeArgs(x, w, b, convOpts);
  const { N, F, C, H, W, OH, OW, forward } = s;
  const K = C * forward.KH * forward.KW;
  assertTraceSize(K * N * H * W, resolveMaxEvents({ maxEvents }), 'adds');

  const cols = transposeColumns(x, w, s);
  const stamps: TransposeStamp[] = [];
  for (let n = 0, q = 0; n < N; n++) {
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < W; j++, q++) {
        const inputs: number[] = [];
        for (let f = 0; f < F; f++) inputs.push(x.data[((n * F + f) * H + i) * W + j]);
        stamps.push({ column: q, n, i, j, top: i * forward.sh - forward.ph, left: j * forward.sw - forward.pw, inputs, adds: [] });
      }
    }
  }
  const sum = new Float32Array(N * C * OH * OW);
  col2imInto(cols, forward, sum, (add) => stamps[add.column].adds.push(add));
  const y = Float32Array.from(sum);
  if (b) addChannelBias(y, b.data, N, C, OH * OW);
  return {
    shapes: s,
    cols: { shape: [K, N * H * W], data: cols },
    stamps,
    sum: { shape: [N, C, OH, OW], data: sum },
    y: { shape: [N, C, OH, OW], data: y },
    overlap: stampOverlap(s),
  };
}

/**
 * How many kernel taps land on each output pixel of one channel (`[OH, OW]`), counted by the
 * engine's col2im folding a matrix of ones: every pixel of x stamps KH×KW taps. Where the kernel
 * size is not a multiple of the stride these counts are uneven: the checkerboard.
 */
export function stampOverlap(s: ConvTransposeShapes): Tensor {
  const { forward, H, W, OH, OW } = s;
  const one = { ...forward, N: 1, C: 1 };
  const counts = new Float32Array(OH * OW);
  col2imInto(new Float32Array(forward.KH * forward.KW * H * W).fill(1), one, counts);
  return { shape: [OH, OW], data: counts };
}
