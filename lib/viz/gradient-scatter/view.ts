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
import { gemmCellTerms } from '../../trace/gemm-trace.ts';
import type { ConvExample, ConvSettings, NumericKey } from '../conv-settings.ts';
import { SEED_SETTINGS, buildExample } from '../conv-settings.ts';
import { checkDrawBudget } from '../figure/budget.ts';
import type { CellMark } from '../figure/mark.ts';
import type { Plane } from '../figure/plane.ts';
import { planesOf } from '../figure/plane.ts';
import type { FigurePreset, FigureStep } from '../figure/spec.ts';
import { formatProduct, formatValue } from '../format.ts';
import type { Grid } from '../grid.ts';
import { planeOf } from '../grid.ts';
import { matrixTeX } from '../tex.ts';

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
      columns.push({ column: e.q, n: e.n, oh: e.oh, ow: e.ow, adds: [], cursor: { mark: 'window', vars: [['n', e.n], ['oh', e.oh], ['ow', e.ow]] } });
    }
    const dropped = e.kind === 'drop';
    if (!dropped) coverage[((e.n * g.C + e.c) * g.H + e.y) * g.W + e.x] += 1;
    const add: FoldAdd = {
      row: e.r, column: e.q, n: e.n, c: e.c, kh: e.kh, kw: e.kw, oh: e.oh, ow: e.ow, y: e.y + g.ph, x: e.x + g.pw,
      value: e.value, dropped, before: e.before, after: e.after, cursor, order: steps.length,
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

const minus = (v: number) => formatValue(v).replace(/^-/, '−');
const signed = (v: number) => (v < 0 ? `(${minus(v)})` : minus(v));

/** "3 × 4", the way sizes read in the figure. */
function dims(a: number, b: number): string {
  return `${a} × ${b}`;
}

/** `dx[y,x]`, `dx[c,y,x]` (C > 1) or `dx[n,c,y,x]` (N > 1), in unpadded coordinates. */
export function pixelName(g: ConvGeometry, n: number, c: number, y: number, x: number): string {
  const coords = [y, x].map(minus);
  if (g.C > 1 || g.N > 1) coords.unshift(String(c));
  if (g.N > 1) coords.unshift(String(n));
  return `dx[${coords.join(',')}]`;
}

function addText(g: ConvGeometry, add: ScatterAdd): string {
  const y = add.y - g.ph;
  const x = add.x - g.pw;
  if (add.dropped) {
    const where = [y, x].map(minus).join(',');
    return `padding at [${where}]${g.C > 1 ? ` (channel ${add.c})` : ''}: ${minus(add.value)} dropped`;
  }
  return `${pixelName(g, add.n, add.c, y, x)}: ${minus(add.before)} + ${signed(add.value)} = ${minus(add.after)}`;
}

function optsOf(g: ConvGeometry): ConvOptions {
  return { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] };
}

function pairText(a: number, b: number): string {
  return a === b ? String(a) : `[${a}, ${b}]`;
}

/** W_row transposed, `[C·KH·KW, F]`: a copy in the other order, so a dX_col entry's terms can be listed. */
function transposed(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = t.data[i * cols + j];
  return { shape: [cols, rows], data: out };
}

/** `dX_col[r][q] = 10·1 + 14·5 = 80`: the GEMM terms of one entry (gemmCellTerms on W_rowᵀ, dY_row). */
export function dcolsTerms(view: ScatterView, r: number, q: number): string {
  const step = gemmCellTerms(transposed(view.wRow), view.dyRow, r, q);
  const terms = step.terms.map((t) => formatProduct(t.a, t.b).replace(/-/g, '−')).join(' + ');
  return `dX_col[${r}][${q}] = ${terms} = ${minus(step.sum)}`;
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
  const padding = Array.from({ length: HP }, (_, y) => Array.from({ length: WP }, (_, x) => y < ph || y >= ph + H || x < pw || x >= pw + W));
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

function joinAnd(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

function addNarration(g: ConvGeometry, add: FoldAdd, Q: number): string {
  const where = `window ${add.column + 1} of ${Q}, entry ${add.row} (tap ${g.C > 1 ? `c${add.c} ` : ''}${add.kh},${add.kw})`;
  return add.dropped
    ? `${where}: its pixel lies in the padding, so ${minus(add.value)} is dropped.`
    : `${where}: ${addText(g, add)}.`;
}

function buildSteps(view: ScatterView): ScatterStep[] {
  const g = view.geometry;
  const { N, OH, OW } = g;
  const F = view.wRow.shape[0];
  const R = view.dcols.shape[0];
  const Q = view.dcols.shape[1];
  const steps: ScatterStep[] = [];
  steps.push({
    kind: 'gemm',
    column: null,
    adds: [],
    folded: 0,
    entry: null,
    cursor: { mark: 'gemm', vars: [] },
    narration:
      `One GEMM first: dX_col = W_rowᵀ × dY_row, ${dims(R, F)} times ${dims(F, Q)} gives ${dims(R, Q)}. ` +
      `Column q holds window q's share of the gradient for each of its ${R} entries, e.g. ${dcolsTerms(view, 0, 0)}. ` +
      `dx starts at zero.`,
  });
  let folded = 0;
  for (const group of view.trace.columns) {
    const adds: AddLine[] = group.adds.map((a) => ({ row: a.row, dropped: a.dropped, text: addText(g, a) }));
    const kept = group.adds.filter((a) => !a.dropped).length;
    const lost = group.adds.filter((a) => a.dropped);
    const where = `${N > 1 ? `image ${group.n}, ` : ''}row ${group.oh}, column ${group.ow} of the output`;
    let text = `Window ${group.column + 1} of ${Q} (${where}): column ${group.column} of dX_col goes back into its window, ${kept} ${kept === 1 ? 'entry' : 'entries'} into dx.`;
    if (lost.length > 0) text += ` ${lost.length} ${lost.length === 1 ? 'entry falls' : 'entries fall'} on the padding and ${lost.length === 1 ? 'is' : 'are'} dropped.`;
    steps.push({ kind: 'window', column: group.column, adds, folded, entry: null, cursor: group.cursor, narration: text });
    for (const add of group.adds) {
      folded += 1;
      steps.push({ kind: 'add', column: group.column, adds, folded, entry: add, cursor: add.cursor, narration: addNarration(g, add, Q) });
    }
  }
  const overlaps = maxCoverage(view);
  const sumNote =
    overlaps > 1
      ? `Pixels inside several windows summed one share per window (up to ${overlaps}).`
      : overlaps === 1
        ? 'No pixel is in two windows, so nothing had to be summed: col2im only moved values.'
        : 'No window reached any pixel.';
  steps.push({
    kind: 'done',
    column: null,
    adds: [],
    folded,
    entry: null,
    cursor: { mark: 'done', vars: [] },
    narration: `All ${Q} windows are folded back (output ${dims(OH, OW)}). ${sumNote} ${checkText(view)}`,
  });
  return steps;
}

function maxCoverage(view: ScatterView): number {
  let most = 0;
  for (const v of view.trace.coverage.data) most = Math.max(most, v);
  return most;
}

function checkText(view: ScatterView): string {
  return view.matching === view.pixels
    ? `The total matches ${view.referenceCall}.dx ✓ (all ${view.pixels} values, bit for bit).`
    : `The total differs from ${view.referenceCall}.dx ✗ (${view.matching} of ${view.pixels} values equal).`;
}

/**
 * The line under the figure about the check: before the end, how many windows are folded so far;
 * at the end, `matches conv2dBackward(…).dx ✓` (or ✗ with the count, should they ever differ).
 */
export function checkLine(view: ScatterView, index: number): string {
  const step = stepAt(view, index);
  const Q = view.trace.columns.length;
  if (step.kind === 'done') {
    return view.matching === view.pixels
      ? `matches ${view.referenceCall}.dx ✓`
      : `differs from ${view.referenceCall}.dx ✗ (${view.matching} of ${view.pixels} equal)`;
  }
  const folded = foldedColumns(view, index);
  return `${folded} of ${Q} windows folded; the last step compares the total with ${view.referenceCall}.dx`;
}

/** The step shown at `index` (clamped into the steps). */
export function stepAt(view: ScatterView, index: number): ScatterStep {
  const steps = view.steps;
  return steps[Math.min(steps.length - 1, Math.max(0, Math.trunc(index) || 0))];
}

/** How many windows are completely folded once step `index` is shown (0 at the GEMM, all at the end). */
export function foldedColumns(view: ScatterView, index: number): number {
  const step = stepAt(view, index);
  if (step.kind === 'done') return view.trace.columns.length;
  return view.trace.columns.filter((col) => col.adds.every((a) => a.order < step.folded)).length;
}

/**
 * The values of dx panel `panel` (padded, border 0) once step `index` is shown: the loops' running
 * values, i.e. the last `after` of every pixel among the entries folded so far.
 */
export function dxValuesAt(view: ScatterView, panel: number, index: number): Grid {
  const p = view.dxPanels[panel];
  const grid = Array.from({ length: p.rows }, () => new Array<number>(p.cols).fill(0));
  for (const add of view.trace.steps.slice(0, stepAt(view, index).folded)) {
    if (!add.dropped && add.n === p.n && add.c === p.c) grid[add.y][add.x] = add.after;
  }
  return grid;
}

/**
 * Which pixels of dx panel `panel` are still blank at step `index` (progressive reveal): inside
 * the image, reached by some window, and not yet reached by the entries folded so far. At the
 * last step nothing is blank.
 */
export function dxBlankOf(view: ScatterView, panel: number, index: number): (y: number, x: number) => boolean {
  const p = view.dxPanels[panel];
  const step = stepAt(view, index);
  const touched = new Set<string>();
  const later = new Set<string>();
  for (const add of view.trace.steps) {
    if (add.dropped || add.n !== p.n || add.c !== p.c) continue;
    (add.order < step.folded ? touched : later).add(`${add.y},${add.x}`);
  }
  return (y, x) => step.kind !== 'done' && !touched.has(`${y},${x}`) && later.has(`${y},${x}`);
}

function focusedPixel(view: ScatterView, focus: ScatterFocus | null): { n: number; c: number; y: number; x: number } | null {
  if (!focus) return null;
  if (focus.kind === 'dx') {
    const p = view.dxPanels[focus.panel];
    return p ? { n: p.n, c: p.c, y: focus.y, x: focus.x } : null;
  }
  const add = view.trace.columns[focus.q]?.adds[focus.r];
  return add ? { n: add.n, c: add.c, y: add.y, x: add.x } : null;
}

/**
 * Marks of dx panel `panel` at step `index`: the focused pixel (or the pixel a focused dX_col entry
 * goes to) is 'active'; the current window's positions are 'target' (border ones too: that is where
 * the dropped entries would go); the rest of the border is 'padding'; panels of another image 'muted'.
 */
export function dxMarkOf(view: ScatterView, panel: number, index: number, focus: ScatterFocus | null = null): (y: number, x: number) => ScatterMark | undefined {
  const p = view.dxPanels[panel];
  const step = stepAt(view, index);
  const group = step.column === null ? null : view.trace.columns[step.column];
  const targets = new Set<string>();
  if (group && group.n === p.n) for (const a of group.adds) if (a.c === p.c) targets.add(`${a.y},${a.x}`);
  const linked = focusedPixel(view, focus);
  const entry = step.entry && step.entry.n === p.n && step.entry.c === p.c ? step.entry : null;
  return (y, x) => {
    if (linked && linked.n === p.n && linked.c === p.c && linked.y === y && linked.x === x) return 'active';
    if (entry && entry.y === y && entry.x === x) return 'active';
    if (targets.has(`${y},${x}`)) return 'target';
    if (group && group.n !== p.n) return 'muted';
    if (p.padding[y]?.[x]) return 'padding';
    return undefined;
  };
}

/** Which cells of dx panel `panel` are the padding border. */
export function dxPaddingOf(view: ScatterView, panel: number): (y: number, x: number) => boolean {
  const p = view.dxPanels[panel];
  return (y, x) => p.padding[y]?.[x] === true;
}

/**
 * Marks of dX_col at step `index`: entries linked to the focus, and the entry being folded, are
 * 'active' (the focused entry, or every entry that lands on a focused pixel); the rest of the column
 * being folded is 'source'; entries already folded are 'muted'.
 */
export function dcolsMarkOf(view: ScatterView, index: number, focus: ScatterFocus | null = null): (r: number, q: number) => ScatterMark | undefined {
  const step = stepAt(view, index);
  const Q = view.dcols.shape[1];
  const isFolded = (r: number, q: number) => (view.trace.columns[q]?.adds[r]?.order ?? Infinity) < step.folded;
  const current = step.entry ? `${step.entry.row},${step.entry.column}` : '';
  const linked = new Set<string>();
  if (focus?.kind === 'dcols') linked.add(`${focus.r},${focus.q}`);
  const pixel = focus?.kind === 'dx' ? focusedPixel(view, focus) : null;
  if (pixel) {
    for (const add of view.trace.steps) {
      if (!add.dropped && add.n === pixel.n && add.c === pixel.c && add.y === pixel.y && add.x === pixel.x) linked.add(`${add.row},${add.column}`);
    }
  }
  return (r, q) => {
    if (linked.has(`${r},${q}`) || current === `${r},${q}`) return 'active';
    if (step.kind !== 'done' && isFolded(r, q)) return 'muted';
    if ((step.kind === 'window' || step.kind === 'add') && q === step.column && q < Q) return 'source';
    return undefined;
  };
}

/** dX_col entries that land on the padding (hatched: col2im drops them). */
export function dcolsPaddingOf(view: ScatterView): (r: number, q: number) => boolean {
  return (r, q) => view.dropped[r]?.[q] === true;
}

/** Marks of the coverage map at step `index`: the current window's pixels (channel 0 of its image) are 'target'. */
export function coverageMarkOf(view: ScatterView, index: number): (y: number, x: number) => ScatterMark | undefined {
  const step = stepAt(view, index);
  const group = step.column === null ? null : view.trace.columns[step.column];
  const { ph, pw } = view.geometry;
  const targets = new Set<string>();
  if (group) for (const a of group.adds) if (!a.dropped && a.c === 0) targets.add(`${a.y - ph},${a.x - pw}`);
  return (y, x) => (targets.has(`${y},${x}`) ? 'target' : undefined);
}

/**
 * A sentence about the focused cell, for linked highlighting: a dX_col entry's GEMM terms and where
 * it goes; or a dx pixel's adds in the engine's order and their total. Null without a focus.
 */
export function focusDetail(view: ScatterView, focus: ScatterFocus | null): string | null {
  if (!focus) return null;
  const g = view.geometry;
  if (focus.kind === 'dcols') {
    const add = view.trace.columns[focus.q]?.adds[focus.r];
    if (!add) return null;
    const to = add.dropped ? 'lands on the padding and is dropped' : `goes to ${pixelName(g, add.n, add.c, add.y - g.ph, add.x - g.pw)}`;
    return `${dcolsTerms(view, focus.r, focus.q)}; it ${to}.`;
  }
  const p = view.dxPanels[focus.panel];
  if (!p) return null;
  if (p.padding[focus.y]?.[focus.x]) return 'A padding position: whatever col2im would add here is dropped.';
  const name = pixelName(g, p.n, p.c, focus.y - g.ph, focus.x - g.pw);
  const adds = view.trace.steps.filter((a) => !a.dropped && a.n === p.n && a.c === p.c && a.y === focus.y && a.x === focus.x);
  if (adds.length === 0) return `${name}: no window reaches this pixel, so its gradient stays 0.`;
  const total = adds[adds.length - 1].after;
  const windows = adds.length === 1 ? 'window' : 'windows';
  return `${name} = ${adds.map((a) => signed(a.value)).join(' + ')} = ${minus(total)} (${adds.length} ${windows}: ${joinAnd(adds.map((a) => String(a.column)))}).`;
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
