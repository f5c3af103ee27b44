/**
 * The ReLU-mask-and-dW figure's replay of its reference loops (lib/reference): reluBackwardLoops
 * gates the upstream gradient into δ_Z, im2colLoops builds X_col from x, and convParamGradientLoops
 * turns δ_Z and X_col into dY_row, db and dW. Every event is kept with its loop cursor, in loop
 * order, for the figure's steps. Pure.
 */
import type { ConvOptions } from '../../geometry.ts';
import type { Tensor } from '../../tensor.ts';
import type { PatchCopy } from '../../im2col/im2col.ts';
import type { LoopCursor } from '../../trace/loop-cursor.ts';
import type { ReluLoopEvent } from '../../reference/relu-backward-loops.ts';
import { reluBackwardLoops } from '../../reference/relu-backward-loops.ts';
import type { ParamGradientLoopEvent } from '../../reference/gemm-loops.ts';
import { convParamGradientLoops } from '../../reference/gemm-loops.ts';
import { im2colLoops } from '../../reference/im2col-loops.ts';

/** One term of a weight's dot product as the loop summed it: window q, δ, x, product, running sum. */
export interface WeightTerm {
  q: number;
  delta: number;
  x: number;
  product: number;
  running: number;
}

/** What the reference loops did for one example. */
export interface ReluDwReplay {
  /** δ_Z `[N, F, OH, OW]` from reluBackwardLoops. */
  dZ: Tensor;
  /** reluBackwardLoops' events, one per output cell in NCHW order. */
  gates: { cursor: LoopCursor; event: ReluLoopEvent }[];
  /** X_col `[C·KH·KW, N·OH·OW]` from im2colLoops. */
  cols: Tensor;
  /** `copies[r][q]`: the pixel im2colLoops copied into X_col[r][q] (padded coordinates). */
  copies: PatchCopy[][];
  /** dY_row `[F, Q]`, db `[F]` and dW `[F, C·KH·KW]` from convParamGradientLoops. */
  dyRow: Tensor;
  db: Tensor;
  dW: Tensor;
  /** convParamGradientLoops' events, in loop order. */
  params: { cursor: LoopCursor; event: ParamGradientLoopEvent }[];
  /** `terms[f][r]`: the terms of weight (f, r)'s dot product, in summation order. */
  terms: WeightTerm[][][];
}

/** Runs the figure's reference loops on `x`, the pre-activation `z` and the upstream gradient `dA`. */
export function replayReluDw(x: Tensor, z: Tensor, dA: Tensor, kernel: readonly [number, number], opts: ConvOptions): ReluDwReplay {
  const gates: ReluDwReplay['gates'] = [];
  const dZ = reluBackwardLoops(dA, z, (cursor, event) => gates.push({ cursor, event }));
  const [KH, KW] = kernel;
  const R = x.shape[1] * KH * KW;
  const copies: PatchCopy[][] = Array.from({ length: R }, () => []);
  const cols = im2colLoops(x, kernel, opts, (_, copy) => {
    if (copy.row >= 0) copies[copy.row][copy.column] = copy;
  });
  const params: ReluDwReplay['params'] = [];
  const F = z.shape[1];
  const terms: WeightTerm[][][] = Array.from({ length: F }, () => Array.from({ length: R }, () => []));
  const { dyRow, db, dW } = convParamGradientLoops(dZ, cols, (cursor, event) => {
    params.push({ cursor, event });
    if (event.kind === 'term')
      terms[event.f][event.r].push({ q: event.q, delta: event.a, x: event.b, product: event.product, running: event.sum });
  });
  return { dZ, gates, cols, copies, dyRow, db, dW, params, terms };
}
