/**
 * View-model of the pooling figure (lesson 9): max and average pooling done the im2col way, forward
 * and backward. Every channel plane of `x` is its own one-channel image, so im2col gives a
 * `[KH·KW, C·OH·OW]` matrix and pooling reduces each column (its max, or its mean). Backward, each
 * upstream gradient goes into its column — to the row that won the max, or `dy/(KH·KW)` into every
 * row — and col2im adds the columns back into dx.
 *
 * Every number comes from lib/: X_col and the copies are im2colLoops' (lib/reference), the outputs
 * and winning rows maxPool2d / avgPool2d's, dX_col routePoolGradient's (the routing the backward
 * ops use), the running values the reference pooling loops' (replayed step by step), and the final
 * dx is compared with maxPool2dBackward / avgPool2dBackward. Pure: no DOM, no Svelte.
 */
import type { Tensor } from '../../tensor.ts';
import { reshape } from '../../tensor.ts';
import type { PatchCopy } from '../../im2col/im2col.ts';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward, routePoolGradient } from '../../ops/pool.ts';
import { padTensor } from '../../ops/dilated.ts';
import { im2colLoops } from '../../reference/im2col-loops.ts';
import type { PoolLoopEvent } from '../../reference/pool-loops.ts';
import { avgPool2dBackwardLoops, avgPool2dLoops, maxPool2dBackwardLoops, maxPool2dLoops } from '../../reference/pool-loops.ts';
import type { LoopCursor } from '../../trace/loop-cursor.ts';
import { checkDrawBudget } from '../figure/budget.ts';
import type { Plane } from '../figure/plane.ts';
import { planeIndex, planesOf } from '../figure/plane.ts';
import type { Grid } from '../grid.ts';
import { planeOf } from '../grid.ts';
import type { PoolExample, PoolMode } from './settings.ts';

/** One channel plane: what is drawn for it. Padded positions in `input` and dx are `(y, x)`. */
export interface PoolPlane {
  c: number;
  /** ", channel 1", empty with one channel. */
  suffix: string;
  /** The input with its zero border (padded size). */
  input: Grid;
  /** `padding[y][x]`: that padded position is in the zero border. */
  padding: boolean[][];
  /** The unpadded x and dy planes, for writing an edit back (planeIndex). */
  x: Plane;
  dy: Plane;
  /** The pooled output (the engine's). */
  output: Grid;
}

/** One window (one column of X_col): where it is and the copies im2colLoops made into it, by row. */
export interface PoolColumn {
  q: number;
  c: number;
  oh: number;
  ow: number;
  copies: PatchCopy[];
}

/** A replayed statement of the reference loops, with its cursor. */
export interface PoolEvent {
  cursor: LoopCursor;
  event: PoolLoopEvent;
}

/** Everything the figure draws for one example (all steps at once). */
export interface PoolView {
  example: PoolExample;
  mode: PoolMode;
  /** X_col `[KH·KW, C·OH·OW]` (im2colLoops of the planes) and which entries came from the padding. */
  cols: Grid;
  colsPadding: boolean[][];
  rowHeaders: string[];
  colHeaders: string[];
  /** The engine's output `[1, C, OH, OW]` and, for max, its winning rows. */
  y: Tensor;
  argmax: Int32Array | null;
  /** dX_col `[KH·KW, C·OH·OW]` from routePoolGradient, and each column's receiving rows. */
  dcols: Grid;
  receivers: number[][];
  /** The reference loops' statements, forward then backward, in loop order. */
  forward: PoolEvent[];
  backward: PoolEvent[];
  /** The engine's backward op and its call as text; dx values equal bit for bit, out of how many. */
  reference: Tensor;
  referenceCall: string;
  matching: number;
  pixels: number;
  planes: PoolPlane[];
  columns: PoolColumn[];
  /** One line on the sizes. */
  summary: string;
  /** Layout hint: draw the grids with small cells (a forward row x → X_col → out wider than 8 cells, or several channels). */
  compact: boolean;
}

const dims = (a: number, b: number) => `${a} × ${b}`;

/** The cells the figure draws: X_col and dX_col, and per channel the padded input and dx, the output and dy. */
export function poolCells(example: PoolExample): number {
  const { KH, KW, OH, OW, ph, pw } = example.pool.g;
  const [, C, H, W] = example.pool.xShape;
  const Q = C * OH * OW;
  return 2 * KH * KW * Q + C * (2 * (H + 2 * ph) * (W + 2 * pw) + 2 * OH * OW);
}

/** Runs a reference loop with an observer that records its statements. */
function record<T>(run: (observe: (cursor: LoopCursor, event: PoolLoopEvent) => void) => T): { result: T; events: PoolEvent[] } {
  const events: PoolEvent[] = [];
  const result = run((cursor, event) => events.push({ cursor, event }));
  return { result, events };
}

/**
 * Builds the view of an example: X_col with its copies, the engine's output, routing and backward
 * result, and the reference loops' run. Throws ConvConfigError when the figure would draw more
 * than DRAW_BUDGET cells (poolCells).
 */
export function buildPoolView(example: PoolExample): PoolView {
  checkDrawBudget(poolCells(example), 'X_col and dX_col, and x, out, dy and dx per channel');
  const { x, dy, window, opts, pool, mode } = example;
  const [, C, H, W] = pool.xShape;
  const { KH, KW, OH, OW, ph, pw, sh, sw, dh, dw } = pool.g;
  const R = KH * KW;
  const Q = C * OH * OW;
  const convOpts = { stride: [sh, sw] as const, padding: [ph, pw] as const, dilation: [dh, dw] as const };

  const columns: PoolColumn[] = [];
  const cols = im2colLoops(reshape(x, [C, 1, H, W]), window, convOpts, (_cursor, copy) => {
    if (copy.row < 0) columns.push({ q: copy.column, c: copy.n, oh: copy.oh, ow: copy.ow, copies: [] });
    else columns[copy.column].copies.push(copy);
  });
  const maxResult = mode === 'max' ? maxPool2d(x, window, opts) : null;
  const y = maxResult ? maxResult.y : avgPool2d(x, window, opts);
  const argmax = maxResult ? maxResult.argmax : null;
  const receivers: number[][] = Array.from({ length: Q }, () => []);
  const dcolsData = routePoolGradient(dy.data, R, argmax, (r, q) => receivers[q].push(r));
  const dcols: Tensor = { shape: [R, Q], data: dcolsData };

  const forward = record((observe) =>
    maxResult ? maxPool2dLoops(x, window, opts, observe) : avgPool2dLoops(x, window, opts, observe),
  ).events;
  const back = record((observe) =>
    argmax
      ? maxPool2dBackwardLoops(dy, argmax, x.shape, window, opts, observe)
      : avgPool2dBackwardLoops(dy, x.shape, window, opts, observe),
  );
  const reference = maxResult ? maxPool2dBackward(dy, maxResult, window, opts) : avgPool2dBackward(dy, x.shape, window, opts);
  let matching = 0;
  for (let k = 0; k < reference.data.length; k++) if (Object.is(reference.data[k], back.result.dx.data[k])) matching++;

  const padded = padTensor(x, [ph, ph], [pw, pw]);
  const padding = Array.from({ length: H + 2 * ph }, (_, i) =>
    Array.from({ length: W + 2 * pw }, (_, j) => i < ph || i >= ph + H || j < pw || j >= pw + W),
  );
  const xPlanes = planesOf(x, (_, c) => `Input x${C > 1 ? `, channel ${c}` : ''}`);
  const dyPlanes = planesOf(dy, (_, c) => `Upstream gradient dy${C > 1 ? `, channel ${c}` : ''}`);
  const planes: PoolPlane[] = xPlanes.map((plane, c) => ({
    c,
    suffix: C > 1 ? `, channel ${c}` : '',
    input: planeOf(padded, 0, c),
    padding,
    x: plane,
    dy: dyPlanes[c],
    output: planeOf(y, 0, c),
  }));
  const colsPadding = Array.from({ length: R }, () => new Array<boolean>(Q).fill(false));
  for (const col of columns) for (const cp of col.copies) colsPadding[cp.row][col.q] = cp.padding;
  const rowHeaders: string[] = [];
  for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) rowHeaders.push(`${kh},${kw}`);
  const colHeaders = columns.map((col) => `${C > 1 ? `c${col.c} ` : ''}${col.oh},${col.ow}`);
  const fn = mode === 'max' ? 'maxPool2dBackward(dy, x' : 'avgPool2dBackward(dy, x.shape';
  const chans = C > 1 ? `${C} × ` : '';
  return {
    example,
    mode,
    cols: planeOf(cols),
    colsPadding,
    rowHeaders,
    colHeaders,
    y,
    argmax,
    dcols: planeOf(dcols),
    receivers,
    forward,
    backward: back.events,
    reference,
    referenceCall: `${fn}, [${KH}, ${KW}], { stride: ${opts.stride}, padding: ${opts.padding}, dilation: ${opts.dilation} })`,
    matching,
    pixels: reference.data.length,
    planes,
    columns,
    summary:
      `x ${chans}${dims(H, W)} → X_col ${dims(R, Q)} (window ${dims(KH, KW)}, stride ${opts.stride}) → ` +
      `${mode === 'max' ? 'max' : 'mean'} of each column → out ${chans}${dims(OH, OW)}`,
    compact: C > 1 || W + 2 * pw + Q + OW > 8,
  };
}

/** `out[0,1]` or, with several channels, `out[c,0,1]`: a cell of a tensor shaped like x or y. */
export function cellName(view: PoolView, name: string, c: number, i: number, j: number): string {
  const coords = [i, j].map((v) => String(v).replace(/^-/, '−'));
  if (view.planes.length > 1) coords.unshift(String(c));
  return `${name}[${coords.join(',')}]`;
}

/** Index in the settings' `x` list of the pixel at padded position `(y, x)` of channel c (its edit target). */
export function inputValueIndex(view: PoolView, c: number, y: number, x: number): number {
  const { ph, pw } = view.example.pool.g;
  return planeIndex(view.planes[c].x, y - ph, x - pw);
}
