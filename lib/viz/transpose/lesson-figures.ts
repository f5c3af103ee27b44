/**
 * Build-time TeX for lesson 11 (transposed convolution). Every number is computed here by the
 * engine when the page is built: the seed convolution and its explicit matrix C, the transposed
 * convolution as Cᵀ and as col2im, an upsampling example, two input sizes that one output size
 * cannot tell apart, and the stamp-overlap counts behind checkerboard artifacts. Pure.
 */
import { ConvConfigError } from '../../errors.ts';
import { tensor } from '../../tensor.ts';
import type { Tensor } from '../../tensor.ts';
import { conv2d } from '../../ops/conv2d.ts';
import { conv2dTranspose, checkConvTransposeArgs } from '../../ops/conv2d-transpose.ts';
import { convolutionMatrix } from '../../ops/convolution-matrix.ts';
import { outputSize } from '../../geometry.ts';
import { stampOverlap } from '../../trace/transpose-trace.ts';
import { planeOf } from '../grid.ts';
import { matrixTeX } from '../tex.ts';

/** The lesson's TeX blocks and the few numbers its prose quotes. */
export interface TransposeLessonFigures {
  /** The seed convolution: X ⊛ W = Y. */
  seedConv: string;
  /** vec(Y) = C · vec(X) with the 4×9 matrix C written out. */
  matrixC: string;
  /** Cᵀ · vec(Y) reshaped to 3×3: the transposed convolution of Y, next to X. */
  transposeOfY: string;
  /** The same numbers from conv2dTranspose (col2im of W_rowᵀ·Y_row). */
  viaCol2im: string;
  /** A 2×2 input upsampled to 4×4 by kernel 4, stride 2, padding 1. */
  upsample: string;
  /** Two input sizes with one output size under stride 2, and the output padding that picks each. */
  sizes: { inputs: [number, number]; output: number; kernel: number; stride: number; padding: number };
  /** Overlap counts on a 4×4 input: kernel 3 stride 2 (uneven) and kernel 4 stride 2 padding 1. */
  overlapK3: string;
  overlapK4: string;
  /** Distinct counts inside each map (excluding the border rows/columns). */
  interiorK3: number[];
  interiorK4: number[];
}

const SEED_X = tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
const SEED_W = tensor([1, 1, 2, 2], [10, 11, 12, 13]);

function interiorValues(t: Tensor): number[] {
  const [rows, cols] = t.shape;
  const seen = new Set<number>();
  for (let i = 1; i < rows - 1; i++) for (let j = 1; j < cols - 1; j++) seen.add(t.data[i * cols + j]);
  return [...seen].sort((a, b) => a - b);
}

/** Computes every block of lesson 11 with the engine (see TransposeLessonFigures). */
export function transposeLessonFigures(): TransposeLessonFigures {
  const y = conv2d(SEED_X, SEED_W, null);
  const c = convolutionMatrix(SEED_X, SEED_W);
  const back = conv2dTranspose(y, SEED_W, null);
  const [rows, columns] = c.shape;
  const cT = tensor(
    [columns, rows],
    Array.from({ length: rows * columns }, (_, k) => c.data[(k % rows) * columns + Math.floor(k / rows)]),
  );
  const vecY = tensor([rows, 1], y.data);
  const seedConv = `${matrixTeX(planeOf(SEED_X))} \\circledast ${matrixTeX(planeOf(SEED_W))} = ${matrixTeX(planeOf(y))}`;
  const matrixC = `\\underbrace{${matrixTeX(planeOf(c))}}_{C\\;(${rows}\\times${columns})} \\operatorname{vec}(X) = ${matrixTeX(planeOf(vecY))}`;
  const transposeOfY = `C^{\\mathsf T}\\operatorname{vec}(Y) = ${matrixTeX(planeOf(cT))} ${matrixTeX(planeOf(vecY))} \\;\\longrightarrow\\; ${matrixTeX(planeOf(back))} \\neq ${matrixTeX(planeOf(SEED_X))} = X`;
  const viaCol2im = `\\operatorname{col2im}\\!\\big(W_\\text{row}^{\\mathsf T}\\, Y_\\text{row}\\big) = ${matrixTeX(planeOf(back))}`;
  for (let q = 0; q < columns; q++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += c.data[r * columns + q] * y.data[r];
    if (Math.abs(s - back.data[q]) > 1e-3 * Math.abs(s)) throw new ConvConfigError('seed', 'Cᵀ·vec(Y) and conv2dTranspose disagree');
  }

  const small = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
  const bilinear = tensor([1, 1, 4, 4], [0.25, 0.5, 0.5, 0.25, 0.5, 1, 1, 0.5, 0.5, 1, 1, 0.5, 0.25, 0.5, 0.5, 0.25]);
  const up = conv2dTranspose(small, bilinear, null, { stride: 2, padding: 1 });
  const upsample = `${matrixTeX(planeOf(small))} \\xrightarrow{\\;k = 4,\\ s = 2,\\ p = 1\\;} ${matrixTeX(planeOf(up))}`;

  const [kernel, stride, padding] = [3, 2, 1];
  const inputs: [number, number] = [5, 6];
  const outs = inputs.map((n) => outputSize(n, kernel, stride, padding, 1));
  if (outs[0] !== outs[1]) throw new ConvConfigError('sizes', 'the two input sizes should share one output size');

  const ones = tensor([1, 1, 4, 4], new Array(16).fill(1));
  const k3 = stampOverlap(checkConvTransposeArgs(ones, tensor([1, 1, 3, 3]), null, { stride: 2 }));
  const k4 = stampOverlap(checkConvTransposeArgs(ones, tensor([1, 1, 4, 4]), null, { stride: 2, padding: 1 }));
  return {
    seedConv,
    matrixC,
    transposeOfY,
    viaCol2im,
    upsample,
    sizes: { inputs, output: outs[0], kernel, stride, padding },
    overlapK3: matrixTeX(planeOf(k3)),
    overlapK4: matrixTeX(planeOf(k4)),
    interiorK3: interiorValues(k3),
    interiorK4: interiorValues(k4),
  };
}
