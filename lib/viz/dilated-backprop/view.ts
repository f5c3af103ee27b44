/**
 * View-model of the dilated full-convolution figure (lesson 8): turns the engine's dilated trace
 * (traceDilatedBackward) into what the figure draws, one step at a time — dY dilated by the
 * stride, padded by the dilated kernel's reach, the kernel rotated 180°, the stride-1 convolution
 * one output cell at a time, the crop of the forward padding — and a cell-by-cell comparison
 * with the col2im input gradient (conv2dBackward with method 'col2im'). Also the lesson's
 * build-time TeX for the seed example. Pure: no DOM, no Svelte; every number comes from lib/.
 */
import type { ConvGeometry } from '../../geometry.ts';
import { ConvConfigError } from '../../errors.ts';
import type { Tensor } from '../../tensor.ts';
import { conv2dBackward } from '../../ops/conv2d-backward.ts';
import type { DilatedCellStep, DilatedTrace } from '../../trace/dilated-trace.ts';
import { traceDilatedBackward } from '../../trace/dilated-trace.ts';
import type { LoopCursor } from '../../trace/loop-cursor.ts';
import type { ConvExample, ConvSettings, NumericKey } from '../conv-settings.ts';
import { buildExample } from '../conv-settings.ts';
import type { CellMark } from '../figure/mark.ts';
import type { FigurePreset, FigureStep } from '../figure/spec.ts';
import { formatProduct, formatValue } from '../format.ts';
import { matrixTeX as gridTeX } from '../tex.ts';
import type { Plane } from '../figure/plane.ts';
import { planesOf } from '../figure/plane.ts';

/** A mark on a drawn cell, as MatrixGrid understands it. */
export type DilatedMark = CellMark;

/** The URL prefix of this figure's state (`dl.s=1&dl.p=1&dl.step=7`). */
export const DILATED_PREFIX = 'dl.';

/** The settings the figure offers (the batch adds nothing to the picture but more of the same). */
export const DILATED_FIELDS: readonly NumericKey[] = ['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation', 'C', 'F'];

/**
 * The figure's starting point, the worked example of the University of Pisa slides: X 4×4 holding
 * 1…16, W = [[1, 2], [3, 4]], stride 2, padding 0, dY = [[2, 1], [3, 5]].
 */
export const DILATED_DEFAULTS: ConvSettings = {
  N: 1, C: 1, H: 4, W: 4, F: 1, KH: 2, KW: 2, stride: 2, padding: 0, dilation: 1, x: null, w: [1, 2, 3, 4], dy: [2, 1, 3, 5],
};

/** A one-click setting: its button label and the settings it applies. */
export type DilatedPreset = FigurePreset<ConvSettings>;

/**
 * The presets: the seed example (stride = kernel), overlapping windows (a 3×3 kernel moving by 2
 * over a 5×5 input, so neighbouring windows share a row and a column) and non-overlapping windows
 * (a 2×2 kernel moving by 2 over a 5×5 input: the last row and column are never reached, so the
 * padded gradient gets one extra row and column of zeros at the bottom and right).
 */
export const DILATED_PRESETS: readonly DilatedPreset[] = [
  { label: 'Seed example', settings: DILATED_DEFAULTS },
  {
    label: 'Overlapping windows',
    settings: { N: 1, C: 1, H: 5, W: 5, F: 1, KH: 3, KW: 3, stride: 2, padding: 0, dilation: 1, x: null, w: null, dy: null },
  },
  {
    label: 'Non-overlapping windows',
    settings: { N: 1, C: 1, H: 5, W: 5, F: 1, KH: 2, KW: 2, stride: 2, padding: 0, dilation: 1, x: null, w: null, dy: null },
  },
];

/**
 * The lines of dilatedInputGradient (lib/ops/dilated.ts) each kind of step highlights in the code
 * panel: a fragment that occurs on exactly that line (see extractSnippet).
 */
export const DILATED_CODE_MARKS: Record<string, string> = {
  dilate: 'const dilated = dilateTensor(',
  pad: 'const padded = padTensor(',
  rotate: 'const rotated = rotateKernel180(w);',
  conv: 'const fullConv = conv2d(',
  crop: 'const dx = cropTensor(',
  compare: 'return { plan, dilated',
};

/** Most products of the final convolution the figure steps through (the trace lists each one). */
export const MAX_TERMS = 20000;

/** Two values count as equal within float32 rounding: |a − b| ≤ 1e−4 · max(1, |a|, |b|). */
export const TOLERANCE = 1e-4;

/** One drawn plane of a tensor (the figures' shared Plane; a, b are e.g. (n, f) for dY or (c, f) for the rotated kernel). */
export type { Plane } from '../figure/plane.ts';

/** One cell of the comparison: the dilated method's value, col2im's, and whether they agree. */
export interface ComparedCell {
  dilated: number;
  col2im: number;
  equal: boolean;
}

/** One plane (image n, channel c) of the comparison of both input gradients. */
export interface ComparedPlane {
  label: string;
  cells: ComparedCell[][];
}

/** The kinds of step: the three preparations, one convolution cell, the crop, the check. */
export type StageKind = 'dilate' | 'pad' | 'rotate' | 'conv' | 'crop' | 'compare';

/** The heading the figure shows over each kind of step. */
export const STAGE_TITLES: Record<StageKind, string> = {
  dilate: '1 · Dilate dY by the stride',
  pad: '2 · Pad it by the kernel’s reach',
  rotate: '3 · Rotate the kernel 180°',
  conv: '4 · Convolve with stride 1, one output cell at a time',
  crop: '5 · Crop the forward padding',
  compare: 'Check: the same dX as col2im',
};

/**
 * One step of the figure: its kind, the code line it highlights, the narration, its cell, and the
 * cursor on dilatedInputGradient: the statement (`mark`) and the values it works with — the stride
 * it dilates by, the padding it adds, the kernel size it rotates, the output cell (n, c, i, j) the
 * convolution computes, the padding it crops.
 */
export interface DilatedStep extends FigureStep {
  kind: StageKind;
  /** The key in DILATED_CODE_MARKS of the line to highlight. */
  mark: string;
  /** For a 'conv' step, the index of its cell in trace.cells; otherwise null. */
  cell: number | null;
  narration: string;
  cursor: LoopCursor;
}

/** Everything the figure draws for one valid example (all steps at once). */
export interface DilatedView {
  example: ConvExample;
  geometry: ConvGeometry;
  /** Filters (ConvGeometry has no F). */
  F: number;
  /** Titles of the operand groups with their shapes, e.g. "Input X [1, 1, 4, 4]". */
  titles: { x: string; w: string; dy: string };
  /** Whether to draw the grids small (large padded gradient or several planes). */
  compact: boolean;
  trace: DilatedTrace;
  /** conv2dBackward(dy, x, w, opts, { method: 'col2im' }).dx, for the comparison. */
  col2imDx: Tensor;
  /** The trace's cells (never null in a view: larger examples are refused). */
  cells: DilatedCellStep[];
  inputs: Plane[];
  kernels: Plane[];
  gradients: Plane[];
  dilated: Plane[];
  padded: Plane[];
  rotated: Plane[];
  full: Plane[];
  dx: Plane[];
  col2im: Plane[];
  comparison: ComparedPlane[];
  /** Cells of dX that agree with col2im, and how many there are. */
  agreeing: number;
  total: number;
  /** The largest |dilated − col2im| over all cells. */
  maxDifference: number;
  /** "dY 2 × 2 → dilated 3 × 3 → padded 5 × 5 → full 4 × 4 → crop → dX 4 × 4". */
  summary: string;
  steps: DilatedStep[];
}

/** A cell of an operand that the reader points at (hover or keyboard focus). */
export interface DilatedFocus {
  grid: 'dy' | 'w';
  plane: number;
  r: number;
  c: number;
}

const dims = (a: number, b: number) => `${a} × ${b}`;

/** Whether two values agree within TOLERANCE (see there). */
export function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
}

/** A cell's name in an NCHW tensor with axes of size 1 left out: `full[1,2]`, `dX[1,0,2]` (channel 1). */
export function cellName(name: string, g: ConvGeometry, n: number, c: number, i: number, j: number): string {
  const lead = `${g.N > 1 ? `${n},` : ''}${g.C > 1 ? `${c},` : ''}`;
  return `${name}[${lead}${i},${j}]`;
}

/**
 * The arithmetic of one convolution cell: every product when there are at most 9, otherwise the
 * nonzero ones and a count of the zero ones (e.g. `2·4 + 0·3 + 0·2 + 0·1`).
 */
export function termsText(cell: DilatedCellStep): string {
  const all = cell.terms.map((t) => formatProduct(t.gradient, t.weight));
  if (cell.terms.length <= 9) return all.join(' + ');
  const nonzero = cell.terms.filter((t) => t.product !== 0).map((t) => formatProduct(t.gradient, t.weight));
  const zeros = cell.terms.length - nonzero.length;
  if (nonzero.length === 0) return `0 (all ${cell.terms.length} products are 0)`;
  return `${nonzero.join(' + ')}${zeros > 0 ? ` + ${zeros} zero product${zeros === 1 ? '' : 's'}` : ''}`;
}

function dilateNarration(g: ConvGeometry, t: DilatedTrace): string {
  const { sh, sw, OH, OW } = g;
  const [DH, DW] = t.plan.dilated;
  if (sh === 1 && sw === 1) return `Dilate: with stride 1 there is no gap to fill, so dY stays ${dims(OH, OW)}.`;
  const zeros = sh === sw ? (sh - 1 === 1 ? '1 zero goes' : `${sh - 1} zeros go`) : `${sh - 1} zero rows and ${sw - 1} zero columns go`;
  return (
    `Dilate: stride ${sh === sw ? sh : `${sh}×${sw}`}, so ${zeros} between neighbouring entries of dY: ` +
    `${dims(OH, OW)} → ${dims(DH, DW)} (rows (OH − 1)·s + 1 = (${OH} − 1)·${sh} + 1 = ${DH}, ` +
    `columns (${OW} − 1)·${sw} + 1 = ${DW}).`
  );
}

function padNarration(g: ConvGeometry, t: DilatedTrace): string {
  const { dh, dw, KH, KW } = g;
  const { pad, uncovered, dilated } = t.plan;
  const [PH, PW] = [t.padded.shape[2], t.padded.shape[3]];
  const reach =
    pad.top === pad.left && dh === dw && KH === KW
      ? `d·(K − 1) = ${dh}·(${KH} − 1) = ${pad.top} ring${pad.top === 1 ? '' : 's'} of zeros go${pad.top === 1 ? 'es' : ''} around it`
      : `d·(KH − 1) = ${dh}·(${KH} − 1) = ${pad.top} zero rows go above and below it and d·(KW − 1) = ${dw}·(${KW} − 1) = ${pad.left} zero columns left and right`;
  const extra: string[] = [];
  if (uncovered[0] > 0) extra.push(`${uncovered[0]} more row${uncovered[0] === 1 ? '' : 's'} at the bottom`);
  if (uncovered[1] > 0) extra.push(`${uncovered[1]} more column${uncovered[1] === 1 ? '' : 's'} on the right`);
  const more = extra.length === 0 ? '' : `, plus ${extra.join(' and ')} for the input ${uncovered[0] > 0 && uncovered[1] > 0 ? 'rows and columns' : uncovered[0] > 0 ? 'rows' : 'columns'} no forward window reached`;
  if (pad.top === 0 && pad.left === 0 && extra.length === 0) {
    return `Pad: a 1 × 1 kernel reaches no neighbours, so no zeros are needed: the gradient stays ${dims(dilated[0], dilated[1])}.`;
  }
  return `Pad: the dilated kernel reaches ${reach}${more}: ${dims(dilated[0], dilated[1])} → ${dims(PH, PW)}.`;
}

function rotateNarration(g: ConvGeometry, w: Tensor): string {
  const { C, KH, KW } = g;
  const F = w.shape[0];
  const first = formatValue(w.data[0]);
  const last = formatValue(w.data[KH * KW - 1]);
  const turn =
    KH * KW === 1
      ? 'Rotate 180°: a 1 × 1 kernel looks the same turned over'
      : `Rotate 180°: reverse the rows and the columns of the kernel, so W[0,0] = ${first} moves to [${KH - 1},${KW - 1}] and W[${KH - 1},${KW - 1}] = ${last} to [0,0]`;
  const swap = F > 1 || C > 1 ? `; filters and channels swap places: [F, C, KH, KW] = [${F}, ${C}, ${KH}, ${KW}] → [${C}, ${F}, ${KH}, ${KW}]` : '';
  return `${turn}${swap}.`;
}

function convNarration(g: ConvGeometry, cell: DilatedCellStep, k: number, total: number): string {
  const name = cellName('full', g, cell.n, cell.c, cell.i, cell.j);
  const where = cell.dx
    ? ` → ${cellName('dX', g, cell.n, cell.c, cell.dx[0], cell.dx[1])}`
    : ' (in the border the crop removes)';
  return `Convolution, cell ${k + 1} of ${total}: ${name} = ${termsText(cell)} = ${formatValue(cell.value)}${where}.`;
}

function cropNarration(g: ConvGeometry, t: DilatedTrace): string {
  const { ph, pw, H, W } = g;
  const [HP, WP] = t.plan.full;
  if (ph === 0 && pw === 0) return `Crop: the forward padding was 0, so nothing comes off: dX is the whole ${dims(HP, WP)} result, the input's size.`;
  const what = ph === pw ? `${ph} row${ph === 1 ? '' : 's'} and column${ph === 1 ? '' : 's'}` : `${ph} rows and ${pw} columns`;
  return `Crop: the forward padding was ${ph === pw ? ph : `${ph}×${pw}`}, so ${what} come off every side: ${dims(HP, WP)} → dX ${dims(H, W)}, the input's size.`;
}

function compareNarration(agreeing: number, total: number, maxDifference: number): string {
  if (agreeing === total) {
    return `Check: all ${total} cells of the dilated method's dX equal col2im's (largest difference ${formatValue(maxDifference, 6)}).`;
  }
  return `Check: ${total - agreeing} of ${total} cells differ from col2im's dX (largest difference ${formatValue(maxDifference, 6)}).`;
}

/**
 * Builds the view of an example from the engine's dilated trace and col2im gradient. Throws
 * ConvConfigError when the final convolution has more than MAX_TERMS products (too many to list).
 */
export function buildDilatedView(example: ConvExample): DilatedView {
  const g = example.geometry;
  const F = example.w.shape[0];
  const { N, C, H, W, KH, KW, sh, sw, ph, pw, dh, dw } = g;
  const opts = { stride: [sh, sw] as [number, number], padding: [ph, pw] as [number, number], dilation: [dh, dw] as [number, number] };
  const trace = traceDilatedBackward(example.dy, example.w, example.x.shape, opts, { maxTerms: MAX_TERMS });
  if (trace.cells === null) {
    const [HP, WP] = trace.plan.full;
    const products = N * C * HP * WP * F * KH * KW;
    throw new ConvConfigError(
      'size',
      `the final convolution has ${products} products, more than the ${MAX_TERMS} this figure steps through; use a smaller input, kernel, padding or dilation, or fewer channels or filters`,
    );
  }
  const cells = trace.cells;
  const col2imDx = conv2dBackward(example.dy, example.x, example.w, opts, { method: 'col2im' }).dx;

  // Plane labels name their two leading indices only when one of those axes has more than one entry.
  const many = (a: string, b: string, sizeA: number, sizeB: number, i: number, j: number) => (sizeA > 1 || sizeB > 1 ? `, ${a} ${i}, ${b} ${j}` : '');
  const inputs = planesOf(example.x, (n, c) => `X${many('image', 'channel', N, C, n, c)}`);
  const kernels = planesOf(example.w, (f, c) => `W${many('filter', 'channel', F, C, f, c)}`);
  const gradients = planesOf(example.dy, (n, f) => `dY${many('image', 'filter', N, F, n, f)}`);
  const dilated = planesOf(trace.dilated, (n, f) => `Dilated dY${many('image', 'filter', N, F, n, f)}`);
  const padded = planesOf(trace.padded, (n, f) => `Padded dY${many('image', 'filter', N, F, n, f)}`);
  const rotated = planesOf(trace.rotated, (c, f) => `Rotated W${many('channel', 'filter', C, F, c, f)}`);
  const full = planesOf(trace.fullConv, (n, c) => `Full convolution${many('image', 'channel', N, C, n, c)}`);
  const dx = planesOf(trace.dx, (n, c) => `dX${many('image', 'channel', N, C, n, c)}`);
  const col2im = planesOf(col2imDx, (n, c) => `dX by col2im${many('image', 'channel', N, C, n, c)}`);

  let agreeing = 0;
  let maxDifference = 0;
  const comparison: ComparedPlane[] = dx.map((p, k) => ({
    label: `dX, dilated method vs col2im${many('image', 'channel', N, C, p.a, p.b)}`,
    cells: p.grid.map((row, r) =>
      row.map((v, c) => {
        const other = col2im[k].grid[r][c];
        const equal = nearlyEqual(v, other);
        if (equal) agreeing += 1;
        maxDifference = Math.max(maxDifference, Math.abs(v - other));
        return { dilated: v, col2im: other, equal };
      }),
    ),
  }));
  const total = N * C * H * W;

  const [DH, DW] = trace.plan.dilated;
  const [HP, WP] = trace.plan.full;
  const summary =
    `dY ${dims(g.OH, g.OW)} → dilated ${dims(DH, DW)} → padded ${dims(trace.padded.shape[2], trace.padded.shape[3])} → ` +
    `full ${dims(HP, WP)} → crop → dX ${dims(H, W)}`;

  const steps: DilatedStep[] = [
    { kind: 'dilate', mark: 'dilate', cell: null, narration: dilateNarration(g, trace), cursor: { mark: 'dilate', vars: [['sh', g.sh], ['sw', g.sw]] } },
    { kind: 'pad', mark: 'pad', cell: null, narration: padNarration(g, trace), cursor: { mark: 'pad', vars: [['top', trace.pad.top], ['left', trace.pad.left], ['bottom', trace.pad.bottom], ['right', trace.pad.right]] } },
    { kind: 'rotate', mark: 'rotate', cell: null, narration: rotateNarration(g, example.w), cursor: { mark: 'rotate', vars: [['KH', g.KH], ['KW', g.KW]] } },
    ...cells.map((cell, k): DilatedStep => ({
      kind: 'conv', mark: 'conv', cell: k, narration: convNarration(g, cell, k, cells.length),
      cursor: { mark: 'conv', vars: [['n', cell.n], ['c', cell.c], ['i', cell.i], ['j', cell.j]] },
    })),
    { kind: 'crop', mark: 'crop', cell: null, narration: cropNarration(g, trace), cursor: { mark: 'crop', vars: [['ph', g.ph], ['pw', g.pw]] } },
    { kind: 'compare', mark: 'compare', cell: null, narration: compareNarration(agreeing, total, maxDifference), cursor: { mark: 'compare', vars: [['agreeing', agreeing], ['total', total]] } },
  ];

  const shape = (t: Tensor) => `[${t.shape.join(', ')}]`;
  const titles = { x: `Input X ${shape(example.x)}`, w: `Kernel W ${shape(example.w)}`, dy: `Upstream gradient dY ${shape(example.dy)}` };
  const compact = trace.padded.shape[3] > 7 || N > 1 || C > 1 || F > 1;

  return {
    example, geometry: g, F, titles, compact, trace, col2imDx, cells,
    inputs, kernels, gradients, dilated, padded, rotated, full, dx, col2im,
    comparison, agreeing, total, maxDifference, summary, steps,
  };
}

/** One row of the terms table of a convolution step. */
export interface TermRow {
  f: number;
  /** Position in the padded gradient, `[y,x]`. */
  at: string;
  /** Tap of the rotated kernel, `[kh,kw]`. */
  tap: string;
  gradient: number;
  weight: number;
  product: number;
}

/** What the figure shows at one step: the step, its cell, which planes, and the marks of every grid. */
export interface DilatedFrame {
  index: number;
  step: DilatedStep;
  cell: DilatedCellStep | null;
  /** The products of the current cell, in the order the engine sums them. */
  terms: TermRow[];
  /** The caption of the terms table, e.g. "full[1,1] → dX[1,1]: 4 products". */
  termsCaption: string;
  /** The padded-gradient planes (indices into view.padded) the convolution step shows: image n. */
  paddedShown: number[];
  /** The rotated-kernel planes (indices into view.rotated) the convolution step shows: channel c. */
  rotatedShown: number[];
  /** The full-convolution plane (index into view.full) the convolution step fills. */
  fullShown: number;
  gradientMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  kernelMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  dilatedMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  paddedMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  /** The ring of zeros added by the pad step (hatched). */
  paddedPadding: (r: number, c: number) => boolean;
  rotatedMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  fullMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  /** Cells of the full result the convolution has not reached yet. */
  fullBlank: (plane: number) => (r: number, c: number) => boolean;
  /** The border of the full result that the crop removes (where the forward padding was). */
  fullCropped: (r: number, c: number) => boolean;
}

/** Clamps a step index into the view's steps. */
export function clampIndex(view: DilatedView, index: number): number {
  return Math.min(view.steps.length - 1, Math.max(0, Math.trunc(index) || 0));
}

/**
 * The frame at step `index`, with the reader's `focus` linked across grids: a dY cell lights up
 * where it lands in the dilated and padded gradient, a kernel cell where it lands in the rotated
 * kernel.
 */
export function dilatedFrame(view: DilatedView, index: number, focus: DilatedFocus | null = null): DilatedFrame {
  const k = clampIndex(view, index);
  const step = view.steps[k];
  const g = view.geometry;
  const { C, KH, KW, sh, sw, ph, pw, H, W } = g;
  const { pad } = view.trace;
  const [DH, DW] = view.trace.plan.dilated;
  const cell = step.cell === null ? null : view.cells[step.cell];
  const conv = step.kind === 'conv';
  const after = step.kind !== 'dilate';

  const terms: TermRow[] = cell
    ? cell.terms.map((t) => ({ f: t.f, at: `[${t.y},${t.x}]`, tap: `[${t.kh},${t.kw}]`, gradient: t.gradient, weight: t.weight, product: t.product }))
    : [];
  const window = new Set<string>();
  if (cell) for (const t of cell.terms) window.add(`${t.f},${t.y},${t.x}`);

  // The flat position of the cell the reader points at, in the grids it links to.
  const dyFocus = focus?.grid === 'dy' ? focus : null;
  const wFocus = focus?.grid === 'w' ? focus : null;
  const inserted = (r: number, c: number) => r % sh !== 0 || c % sw !== 0;

  const gradientMark = (plane: number) => (r: number, c: number): DilatedMark | undefined =>
    dyFocus && dyFocus.plane === plane && dyFocus.r === r && dyFocus.c === c ? 'active' : undefined;
  const kernelMark = (plane: number) => (r: number, c: number): DilatedMark | undefined =>
    wFocus && wFocus.plane === plane && wFocus.r === r && wFocus.c === c ? 'active' : undefined;
  const dilatedMark = (plane: number) => (r: number, c: number): DilatedMark | undefined => {
    if (dyFocus && dyFocus.plane === plane && dyFocus.r * sh === r && dyFocus.c * sw === c) return 'active';
    if (inserted(r, c)) return after ? 'muted' : 'target';
    return undefined;
  };
  const paddedPadding = (r: number, c: number) => r < pad.top || r >= pad.top + DH || c < pad.left || c >= pad.left + DW;
  const paddedMark = (plane: number) => (r: number, c: number): DilatedMark | undefined => {
    if (dyFocus && dyFocus.plane === plane && pad.top + dyFocus.r * sh === r && pad.left + dyFocus.c * sw === c) return 'active';
    const p = view.padded[plane];
    if (conv && cell && p.a === cell.n && window.has(`${p.b},${r},${c}`)) return 'source';
    if (paddedPadding(r, c)) return step.kind === 'pad' ? 'target' : undefined;
    if (inserted(r - pad.top, c - pad.left)) return 'muted';
    return undefined;
  };
  const rotatedMark = (plane: number) => (r: number, c: number): DilatedMark | undefined => {
    const p = view.rotated[plane]; // channel p.a, filter p.b
    if (wFocus) {
      const wf = view.kernels[wFocus.plane]; // filter wf.a, channel wf.b
      if (wf && wf.a === p.b && wf.b === p.a && KH - 1 - wFocus.r === r && KW - 1 - wFocus.c === c) return 'active';
    }
    if (conv && cell && p.a === cell.c) return 'source';
    return undefined;
  };
  const fullCropped = (r: number, c: number) => r < ph || r >= ph + H || c < pw || c >= pw + W;
  const fullMark = (plane: number) => (r: number, c: number): DilatedMark | undefined => {
    const p = view.full[plane];
    if (conv && cell && p.a === cell.n && p.b === cell.c && r === cell.i && c === cell.j) return 'active';
    if (step.kind === 'crop' && fullCropped(r, c)) return 'muted';
    return undefined;
  };
  const fullBlank = (plane: number) => (r: number, c: number): boolean => {
    if (!conv || !cell) return false;
    const p = view.full[plane];
    const [HP, WP] = view.trace.plan.full;
    const at = ((p.a * C + p.b) * HP + r) * WP + c;
    return at > step.cell!;
  };

  const termsCaption = cell
    ? `${cellName('full', g, cell.n, cell.c, cell.i, cell.j)}${cell.dx ? ` → ${cellName('dX', g, cell.n, cell.c, cell.dx[0], cell.dx[1])}` : ' (cropped later)'}: ` +
      `${cell.terms.length} product${cell.terms.length === 1 ? '' : 's'} of the padded gradient and the rotated kernel`
    : '';

  return {
    index: k,
    step,
    cell,
    terms,
    termsCaption,
    paddedShown: cell ? view.padded.flatMap((p, q) => (p.a === cell.n ? [q] : [])) : [],
    rotatedShown: cell ? view.rotated.flatMap((p, q) => (p.a === cell.c ? [q] : [])) : [],
    fullShown: cell ? cell.n * C + cell.c : 0,
    gradientMark, kernelMark, dilatedMark, paddedMark, paddedPadding, rotatedMark, fullMark, fullBlank, fullCropped,
  };
}

/** The flat index in its tensor of the value drawn at `(r, c)` of a plane (the figures' shared planeIndex). */
export { planeIndex } from '../figure/plane.ts';

/** How many products of the final convolution there are, and how many multiply an inserted or padding zero. */
export interface ProductCount {
  total: number;
  /** Products whose gradient entry is one of the zeros added by the dilate or pad step. */
  wasted: number;
}

/**
 * Counts the products of the final convolution (from the trace) and those that land on a zero the
 * dilate or pad step put there — work the col2im route never does.
 */
export function productCount(view: DilatedView): ProductCount {
  const { sh, sw } = view.geometry;
  const { pad } = view.trace;
  const [DH, DW] = view.trace.plan.dilated;
  let total = 0;
  let wasted = 0;
  for (const cell of view.cells) {
    for (const t of cell.terms) {
      total += 1;
      const u = t.y - pad.top;
      const v = t.x - pad.left;
      if (u < 0 || u >= DH || v < 0 || v >= DW || u % sh !== 0 || v % sw !== 0) wasted += 1;
    }
  }
  return { total, wasted };
}

/** A grid as a TeX `bmatrix` (values formatted like the figures); matrixTeX of tex.ts. */
export { gridTeX };

/** The seed example's stages and result as TeX, every matrix computed by the engine. */
export interface SeedFigures {
  view: DilatedView;
  /** X, W and the settings. */
  operands: string;
  /** dY → dilated → padded. */
  gradient: string;
  /** W → rotated. */
  kernel: string;
  /** padded ⊛ rotated = dX. */
  result: string;
  /** dX by the dilated method = dX by col2im (only when they agree). */
  check: string;
}

/**
 * The lesson's worked example (the University of Pisa slides): X 4×4, W = [[1,2],[3,4]],
 * stride 2, dY = [[2,1],[3,5]], every stage and the resulting dX computed by the engine.
 */
export function seedFigures(): SeedFigures {
  const view = buildDilatedView(buildExample(DILATED_DEFAULTS));
  const g = view.geometry;
  const [x, w, dy] = [view.inputs[0].grid, view.kernels[0].grid, view.gradients[0].grid];
  const operands =
    `X = ${gridTeX(x)},\\qquad W = ${gridTeX(w)},\\qquad s = ${g.sh},\\; p = ${g.ph}`;
  const gradient =
    `dY = ${gridTeX(dy)} \\xrightarrow{\\text{dilate}} ${gridTeX(view.dilated[0].grid)} ` +
    `\\xrightarrow{\\text{pad}} ${gridTeX(view.padded[0].grid)}`;
  const kernel = `W = ${gridTeX(w)} \\xrightarrow{\\text{rotate } 180^\\circ} ${gridTeX(view.rotated[0].grid)}`;
  const result = `\\frac{\\partial L}{\\partial X} = ${gridTeX(view.padded[0].grid)} \\circledast ${gridTeX(view.rotated[0].grid)} = ${gridTeX(view.dx[0].grid)}`;
  if (view.agreeing !== view.total) throw new ConvConfigError('seed', 'the seed example’s two input gradients disagree');
  const check = `\\operatorname{col2im}\\!\\big(W_\\text{row}^{\\mathsf T}\\, dY_\\text{row}\\big) = ${gridTeX(view.col2im[0].grid)}`;
  return { view, operands, gradient, kernel, result, check };
}
