/**
 * View-model of the GEMM view (lesson 4): a convolution as one matrix product
 * `Y[F, N·OH·OW] = W_row[F, C·KH·KW] × X_col[C·KH·KW, N·OH·OW]`, stepped one term at a time by
 * replaying the reference loops convGemmLoops (lib/reference) that the code panel shows, then
 * reshaped into the feature maps `[N, F, OH, OW]`. Pure: no DOM, no Svelte. Every number comes from
 * the engine (im2col, convGemmLoops, conv2d).
 */
import type { Tensor } from '../../tensor.ts';
import { reshape } from '../../tensor.ts';
import { im2col } from '../../im2col/im2col.ts';
import { conv2d } from '../../ops/conv2d.ts';
import { convGemmLoops } from '../../reference/gemm-loops.ts';
import type { GemmCellStep, GemmTrace } from '../../trace/gemm-trace.ts';
import type { LoopCursor } from '../../trace/loop-cursor.ts';
import type { ConvExample, ConvSettings, NumericKey } from '../conv-settings.ts';
import { SEED_SETTINGS, buildExample } from '../conv-settings.ts';
import { checkDrawBudget } from '../figure/budget.ts';
import type { CellMark } from '../figure/mark.ts';
import type { Grid } from '../grid.ts';
import type { Plane } from '../figure/plane.ts';
import { planesOf } from '../figure/plane.ts';
import { planeOf } from '../grid.ts';
import { formatProduct, formatValue } from '../format.ts';

/** The URL query prefix of the GEMM view's state (`gm.h`, `gm.f`, `gm.step`, …). */
export const GEMM_PREFIX = 'gm.';

/** The settings fields the GEMM view offers, in the order of the form. */
export const GEMM_FIELDS: readonly NumericKey[] = ['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation', 'C', 'F', 'N'];

/** The GEMM view's defaults: the seed's 3×3 input 1…9 and 2×2 kernel 10…13 (outputs 145 191 283 329). */
export const GEMM_DEFAULTS: ConvSettings = SEED_SETTINGS;

/** The three phases a step belongs to. */
export type GemmPhase = 'im2col' | 'gemm' | 'reshape';

/** A cell mark (the shared CellMark). */
export type GemmMark = CellMark;

/** A worked example from the Pisa slides, offered as a preset button and drawn in the lesson. */
export interface GemmPreset {
  id: 'two-channels' | 'two-filters' | 'batch-of-two';
  label: string;
  settings: ConvSettings;
}

const COUNT_1_TO_9 = [1, 2, 3, 4, 5, 6, 7, 8, 9];

/**
 * The seed's worked examples (University of Pisa slides, "The Im2Col Transformation"): two input
 * channels (1…9 twice, kernel 10…13 twice), two filters (10…13 and 14…17), a batch of two images
 * (1…9 and 10…18, kernel 1…4).
 */
export const GEMM_PRESETS: readonly GemmPreset[] = [
  {
    id: 'two-channels',
    label: 'Two channels',
    settings: { ...SEED_SETTINGS, C: 2, x: [...COUNT_1_TO_9, ...COUNT_1_TO_9], w: [10, 11, 12, 13, 10, 11, 12, 13] },
  },
  {
    id: 'two-filters',
    label: 'Two filters',
    settings: { ...SEED_SETTINGS, F: 2, x: COUNT_1_TO_9, w: [10, 11, 12, 13, 14, 15, 16, 17] },
  },
  {
    id: 'batch-of-two',
    label: 'Batch of two',
    settings: { ...SEED_SETTINGS, N: 2, x: [...COUNT_1_TO_9, 10, 11, 12, 13, 14, 15, 16, 17, 18], w: [1, 2, 3, 4] },
  },
];

/** The preset with this id (throws for an unknown id, so a typo breaks the build). */
export function gemmPreset(id: GemmPreset['id']): GemmPreset {
  const preset = GEMM_PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`unknown GEMM preset ${id}`);
  return preset;
}

/** The first step: X_col and W_row are ready, nothing multiplied yet. */
export interface OperandsStep {
  kind: 'operands';
  mark: 'im2col';
  narration: string;
  cursor: LoopCursor;
}

/** One term of a dot product: `Y[f][q] += W_row[f][k] · X_col[k][q]` (convGemmLoops' inner loop). */
export interface TermStep {
  kind: 'term';
  mark: 'gemm';
  f: number;
  q: number;
  n: number;
  oh: number;
  ow: number;
  k: number;
  cell: GemmCellStep;
  narration: string;
  cursor: LoopCursor;
}

/** One output cell: row f of W_row · column q of X_col = Y[f][q], i.e. y[n][f][oh][ow]. */
export interface CellStep {
  kind: 'cell';
  mark: 'gemm';
  f: number;
  q: number;
  n: number;
  oh: number;
  ow: number;
  /** The loops' record of this cell: its terms in summation order and the stored sum. */
  cell: GemmCellStep;
  narration: string;
  cursor: LoopCursor;
}

/** One feature map moved out of Y: row f, columns n·OH·OW … (n+1)·OH·OW − 1 → y[n][f]. */
export interface ReshapeStep {
  kind: 'reshape';
  mark: 'reshape';
  n: number;
  f: number;
  /** Position of y[n][f] among the feature maps, in NCHW order (`n·F + f`). */
  map: number;
  narration: string;
  cursor: LoopCursor;
}

/** A step of the GEMM view. */
export type GemmStep = OperandsStep | TermStep | CellStep | ReshapeStep;

/** A 2-D plane of the input or the kernel (the figures' shared Plane), and its flat index. */
export type { Plane } from '../figure/plane.ts';
export { planeIndex } from '../figure/plane.ts';

/** A feature map of the output `y[n][f]` (`OH×OW`) with its place in Y. */
export interface FeatureMap {
  label: string;
  n: number;
  f: number;
  grid: Grid;
  /** The first column of Y this map is read from: `n·OH·OW`. */
  firstColumn: number;
}

/** Everything the GEMM view draws for one valid example, computed once per example. */
export interface GemmView {
  example: ConvExample;
  N: number;
  C: number;
  F: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  /** Inner size `C·KH·KW`. */
  R: number;
  /** Columns `N·OH·OW`. */
  Q: number;
  /** Output positions per image `OH·OW`. */
  P: number;
  /** W_row: the kernel read as `[F, C·KH·KW]`. */
  wRow: Grid;
  /** X_col: the engine's im2col matrix `[C·KH·KW, N·OH·OW]`. */
  cols: Grid;
  /** Y: the engine's GEMM output `[F, N·OH·OW]` (from the trace's matmul). */
  y: Grid;
  /** The engine's conv2d output `[N, F, OH, OW]`. */
  output: Tensor;
  trace: GemmTrace;
  /** The store step of each cell of Y, in row-major order. */
  cellSteps: CellStep[];
  inputs: Plane[];
  kernels: Plane[];
  maps: FeatureMap[];
  /** Labels of X_col's rows and W_row's columns: `kh,kw`, or `c:kh,kw` when C > 1. */
  rowLabels: string[];
  /** Labels of X_col's and Y's columns: `oh,ow`, or `n:oh,ow` when N > 1. */
  columnLabels: string[];
  /** Labels of W_row's and Y's rows: `f0`, `f1`, … */
  filterLabels: string[];
  /** One line explaining the labels. */
  legend: string;
  /** The shapes of the product and the result, e.g. `W_row 1×4 × X_col 4×4 = Y 1×4 → y [1, 1, 2, 2]`. */
  shapes: string;
  steps: GemmStep[];
}

/** Label of row r of X_col (column r of W_row): `kh,kw`, prefixed by `c:` when there are several channels. */
export function rowLabel(r: number, C: number, KH: number, KW: number): string {
  const c = Math.floor(r / (KH * KW));
  const kh = Math.floor(r / KW) % KH;
  const kw = r % KW;
  return C > 1 ? `${c}:${kh},${kw}` : `${kh},${kw}`;
}

/** Where column q of X_col and Y comes from: image n and output position (oh, ow), `q = (n·OH + oh)·OW + ow`. */
export function columnPosition(q: number, OH: number, OW: number): { n: number; oh: number; ow: number } {
  const P = OH * OW;
  const n = Math.floor(q / P);
  const p = q % P;
  return { n, oh: Math.floor(p / OW), ow: p % OW };
}

/** Label of column q: `oh,ow`, prefixed by `n:` when the batch has several images. */
export function columnLabel(q: number, N: number, OH: number, OW: number): string {
  const { n, oh, ow } = columnPosition(q, OH, OW);
  return N > 1 ? `${n}:${oh},${ow}` : `${oh},${ow}`;
}

function planes(t: Tensor, name: string): Plane[] {
  return planesOf(t, (a, b) => `${name}[${a}, ${b}]`);
}

function rangeText(from: number, to: number): string {
  return from === to ? `column ${from}` : `columns ${from}…${to}`;
}

function gridText(grid: Grid): string {
  return grid.map((row) => row.map((v) => formatValue(v)).join(' ')).join(' / ');
}

/**
 * The dot product of a cell as read aloud: `x·w` terms (input value first, as on the slides),
 * shortened to the first six and last two terms when there are more than twelve.
 */
export function termsText(cell: GemmCellStep): string {
  const terms = cell.terms.map((t) => formatProduct(t.b, t.a));
  const shown = terms.length > 12 ? [...terms.slice(0, 6), '…', ...terms.slice(-2)] : terms;
  return shown.join(' + ');
}

/**
 * The equation of output y[n][f][oh][ow], e.g. `out[1,0] = 4·10 + 5·11 + 7·12 + 8·13 = 283`,
 * prefixed with the image and filter when N or F exceed 1 (`image 1, filter 0: out[…] = …`).
 */
export function cellEquation(view: GemmView, f: number, q: number): string {
  const { n, oh, ow } = columnPosition(q, view.OH, view.OW);
  const cell = view.trace.steps[f * view.Q + q];
  const who = [view.N > 1 ? `image ${n}` : '', view.F > 1 ? `filter ${f}` : ''].filter((s) => s !== '').join(', ');
  const many = cell.terms.length > 12 ? ` (${cell.terms.length} terms)` : '';
  return `${who ? `${who}: ` : ''}out[${oh},${ow}] = ${termsText(cell)}${many} = ${formatValue(cell.sum)}`;
}

/**
 * Builds the GEMM view of a valid example: X_col from im2col, W_row as the kernel reshaped to
 * `[F, C·KH·KW]`, the traced product Y, the conv2d output and its feature maps, labels, and the
 * steps (1 operands step, F·N·OH·OW cell steps in Y's row-major order, N·F reshape steps in NCHW
 * order). Throws ConvConfigError when the engine refuses the example or the trace would be too big.
 */
export function buildGemmView(example: ConvExample): GemmView {
  const { x, w, geometry: g, settings } = example;
  const opts = { stride: settings.stride, padding: settings.padding, dilation: settings.dilation };
  const { N, C, KH, KW, OH, OW } = g;
  const F = w.shape[0];
  const R = C * KH * KW;
  const P = OH * OW;
  const Q = N * P;
  checkDrawBudget(F * R + R * Q + F * Q + x.data.length + w.data.length + N * F * P, 'the operands, W_row, X_col, Y and the feature maps');
  const colsT = im2col(x, [KH, KW], opts);
  const wRowT = reshape(w, [F, R]);
  // Replay the reference loops: each cell's terms (with cursors), its stored sum, each reshape.
  const cells: GemmCellStep[] = [];
  const cursors: { terms: LoopCursor[]; store: LoopCursor }[] = [];
  const reshapes: LoopCursor[] = [];
  let terms: GemmCellStep['terms'] = [];
  let termCursors: LoopCursor[] = [];
  const { Y } = convGemmLoops(wRowT, colsT, [N, OH, OW], (cursor, e) => {
    if (e.kind === 'term') {
      terms.push({ k: e.r, a: e.a, b: e.b, product: e.product, running: e.sum });
      termCursors.push(cursor);
    } else if (e.kind === 'store') {
      cells.push({ index: e.f * Q + e.q, row: e.f, column: e.q, terms, sum: e.sum });
      cursors.push({ terms: termCursors, store: cursor });
      terms = [];
      termCursors = [];
    } else {
      reshapes.push(cursor);
    }
  });
  const trace: GemmTrace = { M: F, N: Q, K: R, product: Y, steps: cells };
  const output = conv2d(x, w, null, opts);
  const rowLabels = Array.from({ length: R }, (_, r) => rowLabel(r, C, KH, KW));
  const columnLabels = Array.from({ length: Q }, (_, q) => columnLabel(q, N, OH, OW));
  const filterLabels = Array.from({ length: F }, (_, f) => `f${f}`);
  const maps: FeatureMap[] = [];
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) maps.push({ label: `y[${n}, ${f}]`, n, f, grid: planeOf(output, n, f), firstColumn: n * P });
  }
  const legend =
    `Columns of W_row and rows of X_col are kernel taps (${C > 1 ? 'c:' : ''}kh,kw); ` +
    `columns of X_col and Y are output positions (${N > 1 ? 'n:' : ''}oh,ow), q = ${N > 1 ? '(n·OH + oh)·OW + ow' : 'oh·OW + ow'}.`;

  const view: GemmView = {
    example,
    N,
    C,
    F,
    KH,
    KW,
    OH,
    OW,
    R,
    Q,
    P,
    wRow: planeOf(wRowT),
    cols: planeOf(colsT),
    y: planeOf(trace.product),
    output,
    trace,
    cellSteps: [],
    inputs: planes(x, 'x'),
    kernels: planes(w, 'w'),
    maps,
    rowLabels,
    columnLabels,
    filterLabels,
    legend,
    steps: [],
    shapes: `W_row ${F}×${R} × X_col ${R}×${Q} = Y ${F}×${Q} → y [${N}, ${F}, ${OH}, ${OW}]`,
  };

  const steps: GemmStep[] = [
    {
      kind: 'operands',
      mark: 'im2col',
      cursor: { mark: 'operands', vars: [] },
      narration:
        `X_col = im2col(x) is ${R}×${Q} (C·KH·KW = ${C}·${KH}·${KW} rows, N·OH·OW = ${N}·${OH}·${OW} columns); ` +
        `W_row is w read as ${F}×${R}, one filter per row. Y = W_row × X_col will be ${F}×${Q}: ${F * Q} dot products of length ${R}.`,
    },
  ];
  trace.steps.forEach((cell, c) => {
    const f = cell.row;
    const q = cell.column;
    const { n, oh, ow } = columnPosition(q, OH, OW);
    cell.terms.forEach((t, k) => {
      steps.push({
        kind: 'term',
        mark: 'gemm',
        f,
        q,
        n,
        oh,
        ow,
        k,
        cell,
        cursor: cursors[c].terms[k],
        narration: `Y[${f},${q}]: sum += W_row[${f}][${k}]·X_col[${k}][${q}] = ${formatProduct(t.a, t.b)} = ${formatValue(t.product)} → ${formatValue(t.running)}`,
      });
    });
    const store: CellStep = {
      kind: 'cell',
      mark: 'gemm',
      f,
      q,
      n,
      oh,
      ow,
      cell,
      cursor: cursors[c].store,
      narration: `${cellEquation(view, f, q)} — row ${f} of W_row · column ${q} of X_col → Y[${f},${q}]`,
    };
    view.cellSteps.push(store);
    steps.push(store);
  });
  maps.forEach((m, map) => {
    steps.push({
      kind: 'reshape',
      mark: 'reshape',
      n: m.n,
      f: m.f,
      map,
      cursor: reshapes[map],
      narration:
        `Reshape: row ${m.f} of Y, ${rangeText(m.firstColumn, m.firstColumn + P - 1)} (image ${m.n}, filter ${m.f}) → ` +
        `feature map y[${m.n},${m.f}], ${OH}×${OW}, column q going to (oh, ow) with q = ${N > 1 ? `${m.n}·${P} + ` : ''}oh·${OW} + ow: ${gridText(m.grid)}`,
    });
  });
  view.steps = steps;
  return view;
}

/** Builds the view of settings (throws ConvConfigError when the engine refuses them). */
export function gemmViewOf(settings: ConvSettings): GemmView {
  return buildGemmView(buildExample(settings));
}
