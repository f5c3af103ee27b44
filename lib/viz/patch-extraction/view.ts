/**
 * View-model of the patch-extraction step-through (lesson 2): replays the reference loops of im2col
 * (im2colLoops, lib/reference) that the code panel shows — the padded input as one grid per image
 * and channel, X_col filling up entry by entry, window by window, the marks of the current window,
 * entry and column, and the narration. Also the build-time figures of the lesson (the seed product
 * and the AlexNet-sized layer). Pure: no DOM, no Svelte; every number comes from the engine.
 */
import type { ConvGeometry, ConvOptions } from '../../geometry.ts';
import { convGeometry, outputSize } from '../../geometry.ts';
import type { PatchCopy } from '../../im2col/im2col.ts';
import { im2col, im2colBytes } from '../../im2col/im2col.ts';
import { matmulReference as matmul } from '../../gemm.ts';
import { padTensor } from '../../ops/dilated.ts';
import type { Tensor } from '../../tensor.ts';
import { reshape } from '../../tensor.ts';
import type { LoopCursor } from '../../trace/loop-cursor.ts';
import { im2colLoops } from '../../reference/im2col-loops.ts';
import type { ConvExample, ConvSettings, NumericKey } from '../conv-settings.ts';
import { SEED_SETTINGS, buildExample } from '../conv-settings.ts';
import { checkDrawBudget } from '../figure/budget.ts';
import type { CellMark } from '../figure/mark.ts';
import type { FigureStep } from '../figure/spec.ts';
import { formatBytes, formatValue, groupDigitsWith } from '../format.ts';
import type { Grid } from '../grid.ts';
import { planeOf } from '../grid.ts';
import { matrixTeX } from '../tex.ts';

/** A mark on a drawn cell (the shared CellMark). */
export type PatchMark = CellMark;

/** One window of im2colLoops: its column, place, cursor and copies in loop order (padded `y`, `x`). */
export interface PatchStep {
  column: number;
  n: number;
  oh: number;
  ow: number;
  cursor: LoopCursor;
  copies: (PatchCopy & { cursor: LoopCursor; order: number })[];
}

/** A recorded run of im2colLoops: X_col, every copy in loop order, and the copies grouped per window. */
export interface PatchExtractionTrace {
  geometry: ConvGeometry;
  cols: Tensor;
  copies: PatchStep['copies'];
  steps: PatchStep[];
}

/** One step of the figure: a window starts (`window`) or one entry is copied (`copy`). */
export interface PatchFigureStep extends FigureStep {
  kind: 'window' | 'copy';
  /** The window (column of X_col). */
  column: number;
  /** Entries of X_col copied after this step. */
  copied: number;
  /** The entry this step copies (copy steps). */
  copy: PatchStep['copies'][number] | null;
}

/** Runs im2colLoops on x with an observer and records the windows and copies. */
function traceLoops(x: Tensor, g: ConvGeometry): PatchExtractionTrace {
  const steps: PatchStep[] = [];
  const copies: PatchStep['copies'] = [];
  const cols = im2colLoops(x, [g.KH, g.KW], { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] }, (cursor, copy) => {
    if (cursor.mark === 'window') {
      steps.push({ column: copy.column, n: copy.n, oh: copy.oh, ow: copy.ow, cursor, copies: [] });
      return;
    }
    const recorded = { ...copy, cursor, order: copies.length };
    copies.push(recorded);
    steps[steps.length - 1].copies.push(recorded);
  });
  return { geometry: g, cols, copies, steps };
}

/** The URL prefix of this figure's state (`pe.h=4&pe.p=1&pe.step=3`). */
export const PATCH_PREFIX = 'pe.';

/** The settings the figure offers (no filters: im2col does not depend on them). */
export const PATCH_FIELDS: readonly NumericKey[] = ['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation', 'C', 'N'];

/** The figure's starting point: the seed's 3×3 input 1…9 and a 2×2 kernel (4 windows). */
export const PATCH_DEFAULTS: ConvSettings = SEED_SETTINGS;

/** One grid of the padded input: image `n`, channel `c`, with the padding cells flagged. */
export interface InputPanel {
  n: number;
  c: number;
  label: string;
  /** The padded plane `[HP][WP]` (zeros in the border). */
  values: Grid;
  /** `padding[y][x]` is true for the zero border added by the padding. */
  padding: boolean[][];
}

/** Everything the figure draws for one valid example (all steps at once). */
export interface PatchView {
  geometry: ConvGeometry;
  trace: PatchExtractionTrace;
  panels: InputPanel[];
  /** X_col as rows of numbers (its final contents, as the engine wrote them). */
  matrix: Grid;
  /** `fromPadding[r][q]`: that matrix entry was copied from the zero border. */
  fromPadding: boolean[][];
  rows: number;
  columns: number;
  matrixLabel: string;
  /** Row headers `kh,kw` (with `c…` and a no-break space in front when C > 1): the order of a patch. */
  rowHeaders: string[];
  /** Column headers `oh,ow` (with `n…` and a no-break space in front when N > 1): the order of the windows. */
  colHeaders: string[];
  /** One line on the sizes: output, X_col, entries and bytes (from im2colBytes). */
  summary: string;
  /** `sources[k]`: keys `c,y,x` of the padded cells window k reads (image `trace.steps[k].n`). */
  sources: Set<string>[];
  /** The figure's steps: per window its start and one step per copied entry. */
  steps: PatchFigureStep[];
}

/** A focused input cell (hover or keyboard) in panel `panel`, padded coordinates `(r, c)`. */
export interface InputFocus {
  panel: number;
  r: number;
  c: number;
}

const key = (c: number, y: number, x: number) => `${c},${y},${x}`;

/** "3 × 4", the way sizes read in the figure. */
function dims(a: number, b: number): string {
  return `${a} × ${b}`;
}

/**
 * Builds the view of an example by running im2colLoops with an observer. Throws ConvConfigError
 * over DRAW_BUDGET (X_col and the input panels together).
 */
export function patchView(example: ConvExample): PatchView {
  const g = example.geometry;
  const { N, C, H, W, KH, KW, ph, pw, OH, OW } = g;
  const rows = C * KH * KW;
  const columns = N * OH * OW;
  checkDrawBudget(rows * columns + N * C * g.HP * g.WP, `X_col ${rows} × ${columns} and the input`);
  const trace = traceLoops(example.x, g);
  const padded = padTensor(example.x, [ph, ph], [pw, pw]);
  const many = N > 1 || C > 1;
  const panels: InputPanel[] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const values = planeOf(padded, n, c);
      const padding = values.map((row, y) => row.map((_, x) => y < ph || y >= ph + H || x < pw || x >= pw + W));
      const name = many ? `Input image ${n}, channel ${c}` : 'Input';
      panels.push({ n, c, label: ph > 0 || pw > 0 ? `${name}, padded` : name, values, padding });
    }
  }
  const fromPadding = Array.from({ length: rows }, () => new Array<boolean>(columns).fill(false));
  for (const copy of trace.copies) fromPadding[copy.row][copy.column] = copy.padding;
  const rowHeaders: string[] = [];
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) rowHeaders.push(C > 1 ? `c${c}\u00a0${kh},${kw}` : `${kh},${kw}`);
    }
  }
  const colHeaders = trace.steps.map((s) => (N > 1 ? `n${s.n}\u00a0${s.oh},${s.ow}` : `${s.oh},${s.ow}`));
  const sources = trace.steps.map((s) => new Set(s.copies.map((copy) => key(copy.c, copy.y, copy.x))));
  const summary =
    `Output ${dims(OH, OW)}${N > 1 ? ` per image (${N} images)` : ''} · ` +
    `X_col ${dims(rows, columns)} = ${rows * columns} entries · ${formatBytes(im2colBytes(g))} as float32`;
  const view: PatchView = {
    geometry: g,
    trace,
    panels,
    matrix: planeOf(trace.cols),
    fromPadding,
    rows,
    columns,
    matrixLabel: `X_col (${dims(rows, columns)})`,
    rowHeaders,
    colHeaders,
    summary,
    sources,
    steps: [],
  };
  view.steps = buildSteps(view);
  return view;
}

function buildSteps(view: PatchView): PatchFigureStep[] {
  const steps: PatchFigureStep[] = [];
  let copied = 0;
  for (const w of view.trace.steps) {
    steps.push({ kind: 'window', column: w.column, copied, copy: null, cursor: w.cursor, narration: windowNarration(view, w) });
    for (const copy of w.copies) {
      copied += 1;
      steps.push({ kind: 'copy', column: w.column, copied, copy, cursor: copy.cursor, narration: copyNarration(view, copy) });
    }
  }
  return steps;
}

/** The figure step shown at `index` (clamped). */
export function figureStepAt(view: PatchView, index: number): PatchFigureStep {
  const steps = view.steps;
  return steps[Math.min(steps.length - 1, Math.max(0, Math.trunc(index) || 0))];
}

/** The window of the figure step shown at `index`. */
export function stepAt(view: PatchView, index: number): PatchStep {
  return view.trace.steps[figureStepAt(view, index).column];
}

/**
 * Marks of an input panel at step `index`: the focused cell is 'active'; the cells the current
 * window reads are 'source'; panels of another image are 'muted'; the rest of the zero border is
 * 'padding'. (inputPaddingOf flags the border whatever the mark, so a window cell in it reads as both.)
 */
export function inputMarkOf(
  view: PatchView,
  panel: number,
  index: number,
  focus: InputFocus | null = null,
): (r: number, c: number) => PatchMark | undefined {
  const p = view.panels[panel];
  const step = stepAt(view, index);
  const copy = figureStepAt(view, index).copy;
  const sources = view.sources[step.column];
  return (r, c) => {
    if (focus && focus.panel === panel && focus.r === r && focus.c === c) return 'active';
    if (copy && copy.n === p.n && copy.c === p.c && copy.y === r && copy.x === c) return 'active';
    if (p.n !== step.n) return 'muted';
    if (sources.has(key(p.c, r, c))) return 'source';
    if (p.padding[r]?.[c]) return 'padding';
    return undefined;
  };
}

/** Which cells of an input panel are the zero border added by the padding. */
export function inputPaddingOf(view: PatchView, panel: number): (r: number, c: number) => boolean {
  const p = view.panels[panel];
  return (r, c) => p.padding[r]?.[c] === true;
}

/**
 * Marks of X_col at step `index`: entries that hold a copy of the focused input cell, and the entry
 * being copied, are 'active'; the column being filled is 'target'; columns not reached yet are
 * 'muted' (and blank, see matrixBlankOf).
 */
export function matrixMarkOf(
  view: PatchView,
  index: number,
  focus: InputFocus | null = null,
): (r: number, q: number) => PatchMark | undefined {
  const step = stepAt(view, index);
  const copy = figureStepAt(view, index).copy;
  const linked = new Set<string>();
  if (focus) {
    const p = view.panels[focus.panel];
    if (p) {
      for (const copy of view.trace.copies) {
        if (copy.n === p.n && copy.c === p.c && copy.y === focus.r && copy.x === focus.c) linked.add(`${copy.row},${copy.column}`);
      }
    }
  }
  return (r, q) => {
    if (linked.has(`${r},${q}`)) return 'active';
    if (copy && copy.row === r && copy.column === q) return 'active';
    if (q === step.column) return 'target';
    if (q > step.column) return 'muted';
    return undefined;
  };
}

/** Whether X_col entry `(r, q)` is copied once step `index` is shown. */
function copiedAt(view: PatchView, index: number): (r: number, q: number) => boolean {
  const copied = figureStepAt(view, index).copied;
  const perColumn = view.rows;
  return (r, q) => q * perColumn + r < copied;
}

/** X_col entries not copied yet at step `index`: drawn empty. */
export function matrixBlankOf(view: PatchView, index: number): (r: number, q: number) => boolean {
  const copied = copiedAt(view, index);
  return (r, q) => !copied(r, q);
}

/** X_col entries already copied at step `index` whose value came from the zero border. */
export function matrixPaddingOf(view: PatchView, index: number): (r: number, q: number) => boolean {
  const copied = copiedAt(view, index);
  return (r, q) => copied(r, q) && view.fromPadding[r][q];
}

/** The values X_col shows at step `index` (entries not copied yet are null), row by row. */
export function matrixShownAt(view: PatchView, index: number): (number | null)[][] {
  const copied = copiedAt(view, index);
  return view.matrix.map((row, r) => row.map((v, q) => (copied(r, q) ? v : null)));
}

function listValues(values: number[]): string {
  return values.map((v) => formatValue(v)).join(', ');
}

function joinAnd(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The narration of step `index` (see windowNarration and copyNarration). */
export function narrate(view: PatchView, index: number): string {
  return figureStepAt(view, index).narration;
}

/**
 * The narration of one copied entry, e.g. `X_col[2][1] = x[1,1] = 5` or
 * `X_col[0][0] = 0: tap (0,0) falls on the padding at (−1, −1)`.
 */
function copyNarration(view: PatchView, copy: PatchStep['copies'][number]): string {
  const { N, C, ph, pw } = view.geometry;
  const i = copy.y - ph;
  const j = copy.x - pw;
  const entry = `X_col[${copy.row}][${copy.column}]`;
  if (copy.padding) return `${entry} = 0: tap (${copy.kh},${copy.kw}) falls on the padding at (${i}, ${j})`;
  const coords = [i, j];
  if (C > 1 || N > 1) coords.unshift(copy.c);
  if (N > 1) coords.unshift(copy.n);
  return `${entry} = x[${coords.join(',')}] = ${formatValue(copy.value)}`;
}

/**
 * The narration of a window's first step, with its arithmetic: which window, which values it
 * copies (per channel when C > 1, with the padding zeros counted) and how its column index is
 * computed, e.g. "Window 3 of 4 (row 1, column 0 of the output): copies 4, 5, 7, 8 into column 2
 * of X_col (column = oh·OW + ow = 1·2 + 0 = 2)."
 */
function windowNarration(view: PatchView, step: PatchStep): string {
  const { N, C, OH, OW } = view.geometry;
  const total = view.trace.steps.length;
  const where = `${N > 1 ? `image ${step.n}, ` : ''}row ${step.oh}, column ${step.ow} of the output`;
  let copied: string;
  if (C > 1) {
    const perChannel = Array.from(
      { length: C },
      (_, c) => `${listValues(step.copies.filter((k) => k.c === c).map((k) => k.value))} (channel ${c})`,
    );
    copied = joinAnd(perChannel);
  } else {
    copied = listValues(step.copies.map((k) => k.value));
  }
  const zeros = step.copies.filter((k) => k.padding).length;
  const padNote =
    zeros === 0
      ? ''
      : zeros === step.copies.length
        ? ' — all of them padding zeros'
        : ` — ${zeros} of them padding zero${zeros === 1 ? '' : 's'}`;
  const formula =
    N > 1
      ? `column = (n·OH + oh)·OW + ow = (${step.n}·${OH} + ${step.oh})·${OW} + ${step.ow} = ${step.column}`
      : `column = oh·OW + ow = ${step.oh}·${OW} + ${step.ow} = ${step.column}`;
  return `Window ${step.column + 1} of ${total} (${where}): copies ${copied}${padNote} into column ${step.column} of X_col (${formula}).`;
}

/**
 * The flat NCHW index of the input value drawn at padded `(r, c)` of panel `panel`, or null for a
 * padding cell (those are always zero and cannot be edited).
 */
export function inputIndexOf(view: PatchView, panel: number, r: number, c: number): number | null {
  const p = view.panels[panel];
  if (!p || p.padding[r]?.[c] !== false) return null;
  const { C, H, W, ph, pw } = view.geometry;
  return ((p.n * C + p.c) * H + (r - ph)) * W + (c - pw);
}

/** A matrix as a TeX `bmatrix` (values formatted like the figures); see tex.ts. */
export { matrixTeX };

/** An integer with thin spaces between groups of three digits, for TeX (`4\,392\,300`). */
export function groupDigitsTeX(n: number): string {
  return groupDigitsWith(n, '\\,');
}

/**
 * The seed example as one matrix product, computed by the engine: the kernel 10…13 flattened into
 * W_row, X_col = im2col of the 3×3 input 1…9, and W_row·X_col, which is the convolution's output
 * laid out in a row. `tex` is the whole equation.
 */
export function seedProduct(): { wRow: Grid; cols: Grid; product: Grid; tex: string } {
  const example = buildExample(PATCH_DEFAULTS);
  const { F, C, KH, KW } = example.settings;
  const cols = im2col(example.x, [KH, KW]);
  const wRow = reshape(example.w, [F, C * KH * KW]);
  const product = matmul(wRow, cols);
  const [w, x, y] = [planeOf(wRow), planeOf(cols), planeOf(product)];
  const tex = `\\underbrace{${matrixTeX(w)}}_{W_\\text{row}}\\;` + `\\underbrace{${matrixTeX(x)}}_{X_\\text{col}} = ${matrixTeX(y)}`;
  return { wRow: w, cols: x, product: y, tex };
}

/** A convolution layer's im2col sizes, all derived by the engine from its input, kernel and options. */
export interface LayerSizes {
  geometry: ConvGeometry;
  filters: number;
  /** Entries per column: C·KH·KW. */
  patchLength: number;
  /** Windows (columns): N·OH·OW. */
  windows: number;
  /** Bytes of X_col as float32 (im2colBytes). */
  bytes: number;
  /** Entries of the input itself: N·C·H·W. */
  inputEntries: number;
}

/** The sizes of a layer with input `[N, C, H, W]`, `filters` kernels of `KH×KW` and options. */
export function layerSizes(
  xShape: readonly number[],
  filters: number,
  kernel: readonly [number, number],
  opts: ConvOptions = {},
): LayerSizes {
  const g = convGeometry(xShape, kernel, opts);
  return {
    geometry: g,
    filters,
    patchLength: g.C * g.KH * g.KW,
    windows: g.N * g.OH * g.OW,
    bytes: im2colBytes(g),
    inputEntries: g.N * g.C * g.H * g.W,
  };
}

/** The AlexNet-sized first layer of the book chapter "Making faster": 227×227×3, 96 filters 11×11×3, stride 4. */
export const ALEXNET_LAYER = { xShape: [1, 3, 227, 227], filters: 96, kernel: [11, 11], opts: { stride: 4 } } as const;

/** The AlexNet layer's sizes and the TeX lines the lesson renders for them. */
export function alexNetFigures(): { sizes: LayerSizes; tex: { patch: string; windows: string; product: string; bytes: string } } {
  const { xShape, filters, kernel, opts } = ALEXNET_LAYER;
  const sizes = layerSizes(xShape, filters, kernel, opts);
  const g = sizes.geometry;
  const OH = outputSize(g.H, g.KH, g.sh, g.ph, g.dh);
  const OW = outputSize(g.W, g.KW, g.sw, g.pw, g.dw);
  const entries = sizes.patchLength * sizes.windows;
  const tex = {
    patch: `C\\,K_H\\,K_W = ${g.C} \\cdot ${g.KH} \\cdot ${g.KW} = ${sizes.patchLength}`,
    windows:
      `O_H = \\left\\lfloor \\frac{${g.H} + 2 \\cdot ${g.ph} - ${g.dh} \\cdot (${g.KH} - 1) - 1}{${g.sh}} \\right\\rfloor + 1 = ${OH},` +
      `\\qquad O_H\\,O_W = ${OH} \\cdot ${OW} = ${groupDigitsTeX(sizes.windows)}`,
    product:
      `\\underbrace{W_\\text{row}}_{${filters} \\times ${sizes.patchLength}}\\;` +
      `\\underbrace{X_\\text{col}}_{${sizes.patchLength} \\times ${groupDigitsTeX(sizes.windows)}} = ` +
      `\\underbrace{Y}_{${filters} \\times ${groupDigitsTeX(sizes.windows)}} \\;\\longrightarrow\\; ${OH} \\times ${OW} \\times ${filters}`,
    bytes:
      `${sizes.patchLength} \\cdot ${groupDigitsTeX(sizes.windows)} \\cdot 4\\ \\text{bytes} = ` +
      `${groupDigitsTeX(sizes.bytes)}\\ \\text{bytes} \\approx \\text{${formatBytes(sizes.bytes)}}` +
      `\\qquad \\frac{${groupDigitsTeX(entries)}\\ \\text{entries}}{${groupDigitsTeX(sizes.inputEntries)}\\ \\text{input values}} \\approx ${formatValue(entries / sizes.inputEntries, 1)}`,
  };
  return { sizes, tex };
}
