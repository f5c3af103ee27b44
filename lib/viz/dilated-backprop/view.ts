/**
 * View-model of the dilated full-convolution figure (lesson 8): turns the engine's dilated trace
 * (traceDilatedBackward) into what the figure draws, one step at a time — dY dilated by the
 * stride, padded by the dilated kernel's reach, the kernel rotated 180°, the stride-1 convolution
 * one output cell at a time, the crop of the forward padding — and a cell-by-cell comparison
 * with the col2im input gradient (conv2dBackward with method 'col2im'). Also the lesson's
 * build-time TeX for the seed example. Pure: no DOM, no Svelte; every number comes from lib/.
 */
import { checkDrawBudget } from '../figure/budget.ts';
import type { ConvGeometry } from '../../geometry.ts';
import { ConvConfigError } from '../../errors.ts';
import type { Tensor } from '../../tensor.ts';
import { conv2dBackward } from '../../ops/conv2d-backward.ts';
import type { DilatedCellStep, DilatedTrace } from '../../trace/dilated-trace.ts';
import { traceDilatedBackward } from '../../trace/dilated-trace.ts';
import type { LoopCursor } from '../../trace/loop-cursor.ts';
import type { ConvExample, ConvSettings, NumericKey } from '../conv-settings.ts';
import type { CellMark } from '../figure/mark.ts';
import type { FigurePreset, FigureStep } from '../figure/spec.ts';
import { formatProduct, formatValue } from '../format.ts';
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
  N: 1,
  C: 1,
  H: 4,
  W: 4,
  F: 1,
  KH: 2,
  KW: 2,
  stride: 2,
  padding: 0,
  dilation: 1,
  x: null,
  w: [1, 2, 3, 4],
  dy: [2, 1, 3, 5],
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
  const more =
    extra.length === 0
      ? ''
      : `, plus ${extra.join(' and ')} for the input ${uncovered[0] > 0 && uncovered[1] > 0 ? 'rows and columns' : uncovered[0] > 0 ? 'rows' : 'columns'} no forward window reached`;
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
  const swap =
    F > 1 || C > 1 ? `; filters and channels swap places: [F, C, KH, KW] = [${F}, ${C}, ${KH}, ${KW}] → [${C}, ${F}, ${KH}, ${KW}]` : '';
  return `${turn}${swap}.`;
}

function convNarration(g: ConvGeometry, cell: DilatedCellStep, k: number, total: number): string {
  const name = cellName('full', g, cell.n, cell.c, cell.i, cell.j);
  const where = cell.dx ? ` → ${cellName('dX', g, cell.n, cell.c, cell.dx[0], cell.dx[1])}` : ' (in the border the crop removes)';
  return `Convolution, cell ${k + 1} of ${total}: ${name} = ${termsText(cell)} = ${formatValue(cell.value)}${where}.`;
}

function cropNarration(g: ConvGeometry, t: DilatedTrace): string {
  const { ph, pw, H, W } = g;
  const [HP, WP] = t.plan.full;
  if (ph === 0 && pw === 0)
    return `Crop: the forward padding was 0, so nothing comes off: dX is the whole ${dims(HP, WP)} result, the input's size.`;
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
 * ConvConfigError when the final convolution has more than MAX_TERMS products (too many to list),
 * or when its planes together would draw more than DRAW_BUDGET cells.
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
  // Every plane the figure draws: x, w, dY, dilated, padded, rotated W, the full convolution, and dX
  // three times (the dilated method's, col2im's and their comparison).
  const drawn = [example.x, example.w, example.dy, trace.dilated, trace.padded, trace.rotated, trace.fullConv].reduce(
    (a, t) => a + t.data.length,
    3 * trace.dx.data.length,
  );
  checkDrawBudget(drawn, 'x, W, dY, its dilated and padded forms, the rotated W, the full convolution and dX three times');
  const cells = trace.cells;
  const col2imDx = conv2dBackward(example.dy, example.x, example.w, opts, { method: 'col2im' }).dx;

  // Plane labels name their two leading indices only when one of those axes has more than one entry.
  const many = (a: string, b: string, sizeA: number, sizeB: number, i: number, j: number) =>
    sizeA > 1 || sizeB > 1 ? `, ${a} ${i}, ${b} ${j}` : '';
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
    {
      kind: 'dilate',
      mark: 'dilate',
      cell: null,
      narration: dilateNarration(g, trace),
      cursor: {
        mark: 'dilate',
        vars: [
          ['sh', g.sh],
          ['sw', g.sw],
        ],
      },
    },
    {
      kind: 'pad',
      mark: 'pad',
      cell: null,
      narration: padNarration(g, trace),
      cursor: {
        mark: 'pad',
        vars: [
          ['top', trace.pad.top],
          ['left', trace.pad.left],
          ['bottom', trace.pad.bottom],
          ['right', trace.pad.right],
        ],
      },
    },
    {
      kind: 'rotate',
      mark: 'rotate',
      cell: null,
      narration: rotateNarration(g, example.w),
      cursor: {
        mark: 'rotate',
        vars: [
          ['KH', g.KH],
          ['KW', g.KW],
        ],
      },
    },
    ...cells.map((cell, k): DilatedStep => ({
      kind: 'conv',
      mark: 'conv',
      cell: k,
      narration: convNarration(g, cell, k, cells.length),
      cursor: {
        mark: 'conv',
        vars: [
          ['n', cell.n],
          ['c', cell.c],
          ['i', cell.i],
          ['j', cell.j],
        ],
      },
    })),
    {
      kind: 'crop',
      mark: 'crop',
      cell: null,
      narration: cropNarration(g, trace),
      cursor: {
        mark: 'crop',
        vars: [
          ['ph', g.ph],
          ['pw', g.pw],
        ],
      },
    },
    {
      kind: 'compare',
      mark: 'compare',
      cell: null,
      narration: compareNarration(agreeing, total, maxDifference),
      cursor: {
        mark: 'compare',
        vars: [
          ['agreeing', agreeing],
          ['total', total],
        ],
      },
    },
  ];

  const shape = (t: Tensor) => `[${t.shape.join(', ')}]`;
  const titles = { x: `Input X ${shape(example.x)}`, w: `Kernel W ${shape(example.w)}`, dy: `Upstream gradient dY ${shape(example.dy)}` };
  const compact = trace.padded.shape[3] > 7 || N > 1 || C > 1 || F > 1;

  return {
    example,
    geometry: g,
    F,
    titles,
    compact,
    trace,
    col2imDx,
    cells,
    inputs,
    kernels,
    gradients,
    dilated,
    padded,
    rotated,
    full,
    dx,
    col2im,
    comparison,
    agreeing,
    total,
    maxDifference,
    summary,
    steps,
  };
}
