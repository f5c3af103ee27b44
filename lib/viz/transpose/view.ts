/**
 * View-model of the transposed-convolution figure (lesson 11): the engine's traced col2im stamps
 * (traceConv2dTranspose) turned into grids, one step per input pixel, plus a last step comparing
 * the result with the zero-insertion method and with lesson 7's input gradient. Pure: every
 * number comes from lib/.
 */
import type { Tensor } from '../../tensor.ts';
import { conv2dBackward } from '../../ops/conv2d-backward.ts';
import { conv2dTransposeByZeroInsertion } from '../../ops/conv2d-transpose-zero-insertion.ts';
import type { TransposeTrace } from '../../trace/transpose-trace.ts';
import { traceConv2dTranspose } from '../../trace/transpose-trace.ts';
import type { LoopCursor } from '../../trace/loop-cursor.ts';
import type { Grid } from '../grid.ts';
import { planeOf } from '../grid.ts';
import { formatProduct, formatValue } from '../format.ts';
import type { TransposeExample } from './example.ts';
import type { ReplayedStamp } from './replay.ts';
import { replayTranspose } from './replay.ts';

/** A cell position in a grid: row, column. */
export type CellAt = readonly [row: number, column: number];

/** How one output cell compares across the methods on the last step. */
export interface CellAgreement {
  c: number;
  row: number;
  column: number;
  col2im: number;
  zeroInsertion: number;
  /** Lesson 7's input gradient at that cell, or null when that comparison does not apply. */
  gradient: number | null;
  agrees: boolean;
}

/** Everything the figure draws, computed once per example. */
export interface TransposeView {
  example: TransposeExample;
  /** The engine's run (conv2dTranspose's col2im, observed): its result `y` and overlap counts. */
  trace: TransposeTrace;
  /** The reference loop's run (conv2dTransposeLoops), one stamp per input pixel: what the steps replay. */
  stamps: ReplayedStamp[];
  /** x, one grid per input channel f. */
  inputs: Grid[];
  /** w, `kernels[f][c]`. */
  kernels: Grid[][];
  /** The result, one grid per output channel c. */
  outputs: Grid[];
  /** Stamp-overlap counts `[OH, OW]`: how many kernel taps reach each output pixel. */
  overlap: Grid;
  /** The zero-insertion method's result per output channel. */
  zeroInsertion: Grid[];
  /** Lesson 7's input gradient col2im(W_rowᵀ·dY) with dY = x, per channel, or null (see gradientNote). */
  gradient: Grid[] | null;
  /** Why the gradient comparison is missing, or null. */
  gradientNote: string | null;
  agreement: CellAgreement[];
  agreeing: number;
}

/** Runs the engine on an example and keeps what the figure needs (see TransposeView). */
export function buildTransposeView(example: TransposeExample): TransposeView {
  const { x, w, opts, shapes } = example;
  const trace = traceConv2dTranspose(x, w, null, opts);
  const { stamps } = replayTranspose(x, w, opts);
  const zi = conv2dTransposeByZeroInsertion(x, w, null, opts).y;
  const { C, F, OH, OW, outputPadding, forward } = shapes;
  let gradient: Grid[] | null = null;
  let gradientNote: string | null = null;
  if (outputPadding[0] < forward.sh && outputPadding[1] < forward.sw) {
    // The convolution this transposes reads [1, C, OH, OW]; its input gradient for dY = x.
    const forwardInput: Tensor = { shape: [1, C, OH, OW], data: new Float32Array(C * OH * OW) };
    const { stride, padding, dilation } = opts;
    const dx = conv2dBackward(x, forwardInput, w, { stride, padding, dilation }).dx;
    gradient = Array.from({ length: C }, (_, c) => planeOf(dx, 0, c));
  } else {
    gradientNote = `with output padding ${outputPadding[0]} ≥ stride ${forward.sh}, no convolution maps ${OH}×${OW} onto ${shapes.H}×${shapes.W}, so there is no lesson-7 gradient to compare with`;
  }
  const outputs = Array.from({ length: C }, (_, c) => planeOf(trace.y, 0, c));
  const zeroInsertion = Array.from({ length: C }, (_, c) => planeOf(zi, 0, c));
  const agreement: CellAgreement[] = [];
  for (let c = 0; c < C; c++) {
    for (let row = 0; row < OH; row++) {
      for (let column = 0; column < OW; column++) {
        const a = outputs[c][row][column];
        const b = zeroInsertion[c][row][column];
        const g = gradient ? gradient[c][row][column] : null;
        const close = (u: number, v: number) => Math.abs(u - v) <= 1e-4 * (1 + Math.abs(u));
        agreement.push({ c, row, column, col2im: a, zeroInsertion: b, gradient: g, agrees: close(a, b) && (g === null || close(a, g)) });
      }
    }
  }
  return {
    example,
    trace,
    stamps,
    inputs: Array.from({ length: F }, (_, f) => planeOf(x, 0, f)),
    kernels: Array.from({ length: F }, (_, f) => Array.from({ length: C }, (_, c) => planeOf(w, f, c))),
    outputs,
    overlap: planeOf(trace.overlap),
    zeroInsertion,
    gradient,
    gradientNote,
    agreement,
    agreeing: agreement.filter((a) => a.agrees).length,
  };
}

/** One step of the figure. */
export interface TransposeStep {
  /**
   * `column`: an input pixel's column of W_rowᵀ·X_row, its kernel-weighted stamp, is computed;
   * `scatter`: that stamp is added onto the output (col2im); `compare`: the last step.
   */
  kind: 'column' | 'scatter' | 'compare';
  /** The stamp of this step (index into view.stamps), or -1 on the compare step. */
  stamp: number;
  /** The source pixel in x. */
  source: CellAt | null;
  /** The stamp's values per output channel, `[KH, KW]` (column steps), else null. */
  stampValues: Grid[] | null;
  /** Output values per channel after this step; null where no stamp has reached yet. */
  outputs: (number | null)[][][];
  /** Output cells this step wrote (taps cropped by the padding excluded). */
  written: CellAt[];
  /** Overlap counts so far: how many taps reached each output cell up to this step. */
  overlap: Grid;
  narration: string;
  cursor: LoopCursor;
}

function columnNarration(view: TransposeView, stamp: ReplayedStamp): string {
  const { F } = view.example.shapes;
  const v = stamp.inputs.map((value) => formatValue(value)).join(', ');
  return F > 1
    ? `x(${stamp.i}, ${stamp.j}) = [${v}]: its stamp is Σ_f x_f·w_f, one column of W_rowᵀ·X_row.`
    : `x(${stamp.i}, ${stamp.j}) = ${v}: its stamp is ${v}·w, one column of W_rowᵀ·X_row.`;
}

function scatterNarration(view: TransposeView, stamp: ReplayedStamp): string {
  const { F, C, forward } = view.example.shapes;
  const weightAt = (c: number, kh: number, kw: number) => view.example.w.data[(c * forward.KH + kh) * forward.KW + kw];
  const kept = stamp.taps.filter((t) => t.kind === 'add');
  const cropped = stamp.taps.length - kept.length;
  const first = kept[0];
  const head = `The stamp of x(${stamp.i}, ${stamp.j}) lands with its corner at (${stamp.top}, ${stamp.left})`;
  const example = first
    ? `; y${C > 1 ? `[${first.c}]` : ''}(${first.oh}, ${first.ow}): ${formatValue(first.before)} → ${formatValue(first.after)}${F === 1 ? ` (+ ${formatProduct(stamp.inputs[0], weightAt(first.c, first.kh, first.kw))})` : ''}`
    : '';
  const crop = cropped > 0 ? `; ${cropped} tap${cropped === 1 ? '' : 's'} cropped by the padding` : '';
  return `${head}${example}${crop}.`;
}

/**
 * The steps: two per stamp of the reference loop, in its order (col2im's) — the pixel's column of
 * stamp values, then its scatter onto the output with the running sums, the cells it wrote and
 * the overlap so far — then the comparison step with the engine's result.
 */
export function transposeSteps(view: TransposeView): TransposeStep[] {
  const { C, OH, OW, forward } = view.example.shapes;
  const values: (number | null)[][][] = Array.from({ length: C }, () =>
    Array.from({ length: OH }, () => new Array<number | null>(OW).fill(null)),
  );
  const counts: Grid = Array.from({ length: OH }, () => new Array<number>(OW).fill(0));
  const steps: TransposeStep[] = [];
  const snapshot = () => values.map((plane) => plane.map((row) => row.slice()));
  for (let k = 0; k < view.stamps.length; k++) {
    const stamp = view.stamps[k];
    const vars: [string, number][] = [
      ['n', stamp.n],
      ['i', stamp.i],
      ['j', stamp.j],
    ];
    const stampValues: Grid[] = Array.from({ length: C }, () =>
      Array.from({ length: forward.KH }, () => new Array<number>(forward.KW).fill(0)),
    );
    for (const tap of stamp.taps) stampValues[tap.c][tap.kh][tap.kw] = tap.value;
    steps.push({
      kind: 'column',
      stamp: k,
      source: [stamp.i, stamp.j],
      stampValues,
      outputs: snapshot(),
      written: [],
      overlap: counts.map((row) => row.slice()),
      narration: columnNarration(view, stamp),
      cursor: { mark: 'value', vars },
    });
    const written: CellAt[] = [];
    for (const tap of stamp.taps) {
      if (tap.kind === 'crop') continue;
      values[tap.c][tap.oh][tap.ow] = tap.after;
      if (tap.c === 0) {
        counts[tap.oh][tap.ow] += 1;
        written.push([tap.oh, tap.ow]);
      }
    }
    steps.push({
      kind: 'scatter',
      stamp: k,
      source: [stamp.i, stamp.j],
      stampValues: null,
      outputs: snapshot(),
      written,
      overlap: counts.map((row) => row.slice()),
      narration: scatterNarration(view, stamp),
      // The loop's oh, ow at the stamp's first tap: its corner on the output.
      cursor: { mark: written.length > 0 ? 'add' : 'crop', vars: [...vars, ['oh', stamp.top], ['ow', stamp.left]] },
    });
  }
  const total = view.agreement.length;
  const against = view.gradient ? 'the zero-insertion method and lesson 7’s input gradient' : 'the zero-insertion method';
  steps.push({
    kind: 'compare',
    stamp: -1,
    source: null,
    stampValues: null,
    outputs: view.outputs,
    written: [],
    overlap: view.overlap,
    narration: `Done: ${view.agreeing} of ${total} output cells agree with ${against}.${view.gradientNote ? ` (${view.gradientNote}.)` : ''}`,
    cursor: { mark: 'done', vars: [] },
  });
  return steps;
}
