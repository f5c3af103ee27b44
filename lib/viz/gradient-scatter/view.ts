/**
 * View-model of the overlapping gradient scatter (lesson 7): the input gradient of a convolution
 * computed the im2col way. One GEMM, `dX_col = W_rowᵀ × dY_row`, gives every window's share of the
 * gradient as a column; col2im then adds the columns back into the image, replaying the reference
 * loops col2imLoops (lib/reference) that the code panel shows: window by window, entry by entry,
 * so every running value shown is the loops' own. Where windows overlap the shares add up; entries
 * that fall on the padding are dropped. At the end the total is compared with conv2dBackward(…).dx.
 * Pure: no DOM, no Svelte; every number comes from lib/.
 */
import type { ConvGeometry, ConvOptions } from '../../geometry.ts';
import type { Tensor } from '../../tensor.ts';
import { reshape, tensor } from '../../tensor.ts';
import { matmulReference as matmul, withGemmKernel } from '../../gemm.ts';
import { nchwToRows } from '../../ops/conv2d.ts';
import { conv2dBackward } from '../../ops/conv2d-backward.ts';
import type { ScatterAdd } from '../../im2col/col2im.ts';
import type { LoopCursor } from '../../trace/loop-cursor.ts';
import { col2imLoops } from '../../reference/col2im-loops.ts';
import type { ConvExample, ConvSettings, NumericKey } from '../conv-settings.ts';
import { SEED_SETTINGS, buildExample } from '../conv-settings.ts';
import { checkDrawBudget } from '../figure/budget.ts';
import type { CellMark } from '../figure/mark.ts';
import type { Plane } from '../figure/plane.ts';
import { planesOf } from '../figure/plane.ts';
import type { FigurePreset, FigureStep } from '../figure/spec.ts';
import type { Grid } from '../grid.ts';
import { planeOf } from '../grid.ts';
import { matrixTeX } from '../tex.ts';
import { buildSteps } from './steps.ts';
import { dims, pairText, transposed } from './text.ts';

/** A mark on a drawn cell (the shared CellMark). */
export type ScatterMark = CellMark;

/** The URL prefix of this figure's state (`sc.kh=3&sc.p=1&sc.step=4`). */
export const SCATTER_PREFIX = 'sc.';

/** The settings the figure offers. */
export const SCATTER_FIELDS: readonly NumericKey[] = ['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation', 'C', 'F'];

/**
 * The figure's starting point: the seed's 3×3 input and 2×2 kernel 10…13, stride 1, with the
 * upstream gradient 1…4. The four windows overlap, and the centre pixel sits in all of them.
 */
export const SCATTER_DEFAULTS: ConvSettings = SEED_SETTINGS;

export const SCATTER_PRESETS: readonly FigurePreset<ConvSettings>[] = [
  {
    label: 'Overlapping windows',
    settings: { N: 1, C: 1, H: 4, W: 4, F: 1, KH: 3, KW: 3, stride: 1, padding: 0, dilation: 1, x: null, w: null, dy: null },
  },
  {
    label: 'Non-overlapping windows',
    settings: { N: 1, C: 1, H: 4, W: 4, F: 1, KH: 2, KW: 2, stride: 2, padding: 0, dilation: 1, x: null, w: null, dy: null },
  },
];

/** One entry of dX_col as col2imLoops folds it: the add (padded coordinates) and the loops' cursor. */
export interface FoldAdd extends ScatterAdd {
  cursor: LoopCursor;
  /** Its place in the loops' order (0-based). */
  order: number;
}

/** One window (one column of dX_col) as col2imLoops folds it: its adds in loop order. */
export interface FoldColumn {
  column: number;
  n: number;
  oh: number;
  ow: number;
  adds: FoldAdd[];
  /** The cursor on the window's line (`const q = …`). */
  cursor: LoopCursor;
}

/**
 * A recorded run of col2imLoops over dX_col: the result `dx` (`[N, C, H, W]`), every entry in loop
 * order (`steps`, dropped padding entries included) grouped per window (`columns`), and `coverage`
 * (`[N, C, H, W]`): how many adds landed on each pixel.
 */
export interface Fold {
  geometry: ConvGeometry;
  dx: Tensor;
  steps: FoldAdd[];
  columns: FoldColumn[];
  coverage: Tensor;
}

/** Runs col2imLoops on `cols` with an observer and records the fold (see Fold). */
export function foldByLoops(cols: Tensor, g: ConvGeometry): Fold {
  const opts = optsOf(g);
  const columns: FoldColumn[] = [];
  const steps: FoldAdd[] = [];
  const coverage = new Float32Array(g.N * g.C * g.H * g.W);
  const dx = col2imLoops(cols, [g.N, g.C, g.H, g.W], [g.KH, g.KW], opts, (cursor, e) => {
    if (columns.length === 0 || columns[columns.length - 1].column !== e.q) {
      columns.push({
        column: e.q,
        n: e.n,
        oh: e.oh,
        ow: e.ow,
        adds: [],
        cursor: {
          mark: 'window',
          vars: [
            ['n', e.n],
            ['oh', e.oh],
            ['ow', e.ow],
          ],
        },
      });
    }
    const dropped = e.kind === 'drop';
    if (!dropped) coverage[((e.n * g.C + e.c) * g.H + e.y) * g.W + e.x] += 1;
    const add: FoldAdd = {
      row: e.r,
      column: e.q,
      n: e.n,
      c: e.c,
      kh: e.kh,
      kw: e.kw,
      oh: e.oh,
      ow: e.ow,
      y: e.y + g.ph,
      x: e.x + g.pw,
      value: e.value,
      dropped,
      before: e.before,
      after: e.after,
      cursor,
      order: steps.length,
    };
    steps.push(add);
    columns[columns.length - 1].adds.push(add);
  });
  return { geometry: g, dx, steps, columns, coverage: { shape: [g.N, g.C, g.H, g.W], data: coverage } };
}

/** One grid of the input gradient, image `n`, channel `c`, drawn with its padding border. */
export interface DxPanel {
  n: number;
  c: number;
  label: string;
  /** Padded size: the border is where dropped entries would land. */
  rows: number;
  cols: number;
  /** `padding[y][x]`: that padded position is in the zero border. */
  padding: boolean[][];
}

/** What one step of the figure does: the GEMM, a window starts, one entry folds back, the final check. */
export type ScatterStepKind = 'gemm' | 'window' | 'add' | 'done';

/** One line of a scatter step: one entry of the column and what happened to it. */
export interface AddLine {
  /** The matrix entry, row r of the column being folded. */
  row: number;
  dropped: boolean;
  /** `dx[1,1]: 13 + 10 = 23`, or `padding at [−1,0]: 7 dropped`. */
  text: string;
}

/**
 * One step: its kind, the window (column) it is in (null for the GEMM and the check), the window's
 * lines, how many entries of dX_col are folded after it, the entry it folds (add steps), its
 * narration and the loops' cursor (mark `window`, `add` or `drop` of COL2IM_LOOP_MARKS; `gemm` and
 * `done` mark no line).
 */
export interface ScatterStep extends FigureStep {
  kind: ScatterStepKind;
  column: number | null;
  adds: AddLine[];
  folded: number;
  entry: FoldAdd | null;
}

/** Everything the figure draws for one valid example (all steps at once). */
export interface ScatterView {
  example: ConvExample;
  geometry: ConvGeometry;
  /** W_row `[F, C·KH·KW]` (the kernel read as rows) and dY_row `[F, N·OH·OW]`. */
  wRow: Tensor;
  dyRow: Tensor;
  /** `dX_col = W_rowᵀ × dY_row` (`[C·KH·KW, N·OH·OW]`), from the engine's matmul. */
  dcols: Tensor;
  dcolsGrid: Grid;
  dcolsLabel: string;
  /** Row headers (`kh,kw`, with `c… ` when C > 1) and column headers (`oh,ow`, `n… ` when N > 1). */
  rowHeaders: string[];
  colHeaders: string[];
  /** `dropped[r][q]`: that entry of dX_col lands on the padding. */
  dropped: boolean[][];
  trace: Fold;
  inputs: Plane[];
  kernels: Plane[];
  gradients: Plane[];
  dxPanels: DxPanel[];
  /** How many windows touch each pixel (the trace's coverage; the same for every image and channel). */
  coverage: Grid;
  /** conv2dBackward(dy, x, w, opts).dx, computed separately by the engine. */
  reference: Tensor;
  /** Pixels where the folded total equals the reference bit for bit, and how many pixels there are. */
  matching: number;
  pixels: number;
  /** The call compared with, e.g. `conv2dBackward(dy, x, w, { stride: 1, padding: 0, dilation: 1 })`. */
  referenceCall: string;
  steps: ScatterStep[];
  /** One line on the sizes. */
  summary: string;
}

/** A focused cell: an entry of dX_col, or a padded position of a dx panel. */
export type ScatterFocus = { kind: 'dcols'; r: number; q: number } | { kind: 'dx'; panel: number; y: number; x: number };

function optsOf(g: ConvGeometry): ConvOptions {
  return { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] };
}

/**
 * Builds the view of an example: dX_col by the engine's matmul (`W_rowᵀ × dY_row`), its fold by
 * col2imLoops, the coverage, and the reference dx from conv2dBackward. Throws ConvConfigError
 * over DRAW_BUDGET (dX_col, the dx panels, the coverage map and the operands W, dY and x together).
 */
export function scatterView(example: ConvExample): ScatterView {
  const g = example.geometry;
  const { N, C, H, W, KH, KW, ph, pw, OH, OW } = g;
  const F = example.w.shape[0];
  const R = C * KH * KW;
  const P = OH * OW;
  const Q = N * P;
  // Drawn: dX_col, the padded dx panels and the coverage map, and the editable operands W, dY and x.
  checkDrawBudget(
    R * Q + (N * C + 1) * (H + 2 * ph) * (W + 2 * pw) + F * R + N * F * P + N * C * H * W,
    `dX_col ${R} × ${Q}, the dx panels and the operands`,
  );
  const opts = optsOf(g);
  const wRow = reshape(example.w, [F, R]);
  const dyRow = tensor([F, Q], nchwToRows(example.dy.data, N, F, P));
  const dcols = matmul(wRow, dyRow, { transA: true });
  const trace = foldByLoops(dcols, g);
  // On the reference kernel, like dcols above, so the folded total can match it bit for bit.
  const reference = withGemmKernel('js', () => conv2dBackward(example.dy, example.x, example.w, opts)).dx;
  let matching = 0;
  for (let k = 0; k < reference.data.length; k++) if (Object.is(reference.data[k], trace.dx.data[k])) matching++;

  const dropped = Array.from({ length: R }, () => new Array<boolean>(Q).fill(false));
  for (const add of trace.steps) dropped[add.row][add.column] = add.dropped;

  const rowHeaders: string[] = [];
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) rowHeaders.push(C > 1 ? `c${c} ${kh},${kw}` : `${kh},${kw}`);
  }
  const colHeaders = trace.columns.map((s) => (N > 1 ? `n${s.n} ${s.oh},${s.ow}` : `${s.oh},${s.ow}`));

  const HP = H + 2 * ph;
  const WP = W + 2 * pw;
  const padding = Array.from({ length: HP }, (_, y) =>
    Array.from({ length: WP }, (_, x) => y < ph || y >= ph + H || x < pw || x >= pw + W),
  );
  const dxPanels: DxPanel[] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const name = N > 1 ? `dx, image ${n}, channel ${c}` : C > 1 ? `dx, channel ${c}` : 'dx';
      dxPanels.push({ n, c, label: ph > 0 || pw > 0 ? `${name} (border: padding, dropped)` : name, rows: HP, cols: WP, padding });
    }
  }

  const many = (count: number) => count > 1;
  const inputs = planesOf(example.x, (n, c) => `Input x${many(N) ? `, image ${n}` : ''}${many(C) ? `, channel ${c}` : ''}`);
  const kernels = planesOf(example.w, (f, c) => `Kernel w${many(F) ? `, filter ${f}` : ''}${many(C) ? `, channel ${c}` : ''}`);
  const gradients = planesOf(example.dy, (n, f) => `Upstream gradient dY${many(N) ? `, image ${n}` : ''}${many(F) ? `, filter ${f}` : ''}`);

  const referenceCall = `conv2dBackward(dy, x, w, { stride: ${pairText(g.sh, g.sw)}, padding: ${pairText(ph, pw)}, dilation: ${pairText(g.dh, g.dw)} })`;
  const view: ScatterView = {
    example,
    geometry: g,
    wRow,
    dyRow,
    dcols,
    dcolsGrid: planeOf(dcols),
    dcolsLabel: `dX_col = W_rowᵀ × dY_row (${dims(R, Q)})`,
    rowHeaders,
    colHeaders,
    dropped,
    trace,
    inputs,
    kernels,
    gradients,
    dxPanels,
    coverage: planeOf(trace.coverage, 0, 0),
    reference,
    matching,
    pixels: reference.data.length,
    referenceCall,
    steps: [],
    summary:
      `Output ${dims(OH, OW)} · W_rowᵀ ${dims(R, F)} × dY_row ${dims(F, Q)} = dX_col ${dims(R, Q)} · ` +
      `dx ${N > 1 || C > 1 ? `${N} × ${C} × ` : ''}${dims(H, W)}`,
  };
  view.steps = buildSteps(view);
  return view;
}

/**
 * The seed example worked by the engine for the lesson's text: W_rowᵀ (the kernel 10…13 as a
 * column), dY_row = 1…4, their product dX_col, and dx = col2im(dX_col). `gemm` and `fold` are TeX.
 */
export function seedScatter(): { dcols: Grid; dx: Grid; coverage: Grid; tex: { gemm: string; fold: string } } {
  const view = scatterView(buildExample(SCATTER_DEFAULTS));
  const wT = planeOf(transposed(view.wRow));
  const dx = planeOf(view.trace.dx, 0, 0);
  return {
    dcols: view.dcolsGrid,
    dx,
    coverage: view.coverage,
    tex: {
      gemm:
        `\\underbrace{${matrixTeX(wT)}}_{W_\\text{row}^{\\top}}\\;` +
        `\\underbrace{${matrixTeX(planeOf(view.dyRow))}}_{dY_\\text{row}} = ` +
        `\\underbrace{${matrixTeX(view.dcolsGrid)}}_{dX_\\text{col}}`,
      fold: `\\operatorname{col2im}(dX_\\text{col}) = ${matrixTeX(dx)}`,
    },
  };
}
