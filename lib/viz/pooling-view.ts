/**
 * View-model of the pooling figure (lesson 9): max and average pooling done the im2col way, forward
 * and backward. Every channel plane of `x` is its own one-channel image, so im2col gives a
 * `[KH·KW, N·C·OH·OW]` matrix and pooling reduces each column (its max, or its mean). Backward, each
 * upstream gradient goes into its column — to the row that won the max (the "switch"), or
 * `dy/(KH·KW)` into every row for the mean — and col2im folds the columns back into dx, summing
 * where windows overlap.
 *
 * Every number comes from lib/: the im2col matrix is replayed from the engine's own loop
 * (tracePatchExtraction), the outputs and the winning rows are maxPool2d / avgPool2d's, the running
 * dx values are the engine's col2im loop replayed (traceCol2im), and the final dx is compared with
 * maxPool2dBackward / avgPool2dBackward. Pure: no DOM, no Svelte.
 */
import { ConvConfigError } from '../errors.ts';
import type { Tensor } from '../tensor.ts';
import { reshape } from '../tensor.ts';
import { createRng, randomIntegers } from '../random.ts';
import type { PoolGeometry } from '../ops/pool.ts';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward, poolGeometry } from '../ops/pool.ts';
import { padTensor } from '../ops/dilated.ts';
import type { PatchCopy } from '../im2col/im2col.ts';
import type { ScatterAdd } from '../im2col/col2im.ts';
import type { PatchExtractionTrace } from '../trace/patch-extraction.ts';
import { tracePatchExtraction } from '../trace/patch-extraction.ts';
import type { Col2imTrace } from '../trace/col2im-trace.ts';
import { traceCol2im } from '../trace/col2im-trace.ts';
import type { ConvExample, ConvSettings, ExampleState, NumericKey } from './conv-settings.ts';
import { SETTING_FIELDS, applySettings, buildExample, initialState, settingsFromQuery, settingsToQuery } from './conv-settings.ts';
import { readStepParam, writeStepParam } from './figure-query.ts';
import { formatValue } from './format.ts';
import type { Grid } from './grid.ts';
import { planeOf } from './grid.ts';
import { matrixTeX } from './tex.ts';

/** Which reduction the figure shows: the maximum or the mean of each window. */
export type PoolMode = 'max' | 'avg';

/** A mark on a drawn cell, as MatrixGrid understands it. */
export type PoolMark = 'active' | 'source' | 'target' | 'padding' | 'muted';

/** The URL prefix of this figure's state (`pl.s=1&pl.mode=avg&pl.step=4`). */
export const POOL_PREFIX = 'pl.';

/** The settings the figure offers (no kernel values, filters or batch: pooling has none of those). */
export const POOL_FIELDS: readonly NumericKey[] = ['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation', 'C'];

/** How the form labels the window fields (the pooling window plays the kernel's part). */
export const POOL_FIELD_LABELS: Readonly<Partial<Record<NumericKey, string>>> = { KH: 'Window height', KW: 'Window width' };

/**
 * The default input: a 4×4 image of varied values, so that the maximum sits in a different place in
 * every 2×2 window (window 2 holds 3, 7, 2, 5: max 7, mean 4.25).
 */
export const POOL_SEED_INPUT: readonly number[] = [1, 4, 3, 7, 6, 2, 2, 5, 0, 8, 9, 1, 3, 5, 4, 6];

/**
 * The figure's defaults: that 4×4 input, a 2×2 window moving by 2 (non-overlapping), no padding;
 * the upstream gradient is 1, 2, 3, … (ConvSettings' default). `F` always equals `C` so that
 * ConvSettings' gradient `[N, F, OH, OW]` has pooling's shape `[N, C, OH, OW]`; `x: null` stands for
 * the varied default input of the current size (poolDefaultInput).
 */
export const POOL_DEFAULTS: ConvSettings = {
  N: 1, C: 1, H: 4, W: 4, F: 1, KH: 2, KW: 2, stride: 2, padding: 0, dilation: 1, x: null, w: null, dy: null,
};

/** A one-click setting: its button label and the settings it applies. */
export interface PoolPreset {
  label: string;
  settings: ConvSettings;
}

/**
 * The presets: overlapping windows (3×3 moving by 1 over the 4×4 input: the centre 2×2 block is in
 * all four windows, and the 9 there wins all of them) and non-overlapping windows (2×2 moving by 2:
 * every pixel in exactly one window).
 */
export const POOL_PRESETS: readonly PoolPreset[] = [
  { label: 'Overlapping windows', settings: { ...POOL_DEFAULTS, KH: 3, KW: 3, stride: 1 } },
  { label: 'Non-overlapping windows', settings: { ...POOL_DEFAULTS } },
];

/**
 * The lines of lib/ops/pool.ts the code panel highlights, per function, each a fragment that occurs
 * on exactly that line: the im2col call, the reductions, the routing of dy, and the col2im fold.
 */
export const POOL_CODE_MARKS = {
  maxForward: {
    im2col: 'im2colInto(x.data, g, cols);',
    skip: 'if (inside[r * P + p] === 0) continue;',
    reduce: 'if (arg < 0 || v > best) {',
    store: 'y[q] = best;',
  },
  maxBackward: {
    route: 'cols[r * Q + q] = dy.data[q];',
    fold: 'col2imInto(cols, g, dx);',
  },
  avgForward: {
    im2col: 'im2colInto(x.data, g, cols);',
    reduce: 'for (let q = 0; q < Q; q++) sums[q] += cols[base + q];',
    store: 'for (let q = 0; q < Q; q++) y[q] = sums[q] / rows;',
  },
  avgBackward: {
    route: 'for (let q = 0; q < Q; q++) share[q] = dy.data[q] / rows;',
    spread: 'for (let r = 0; r < rows; r++) cols.set(share, r * Q);',
    fold: 'col2imInto(cols, g, dx);',
  },
} as const;

/** The engine function each code panel shows, by mode and direction. */
export const POOL_CODE_FUNCTIONS = {
  maxForward: 'maxPool2d',
  maxBackward: 'maxPool2dBackward',
  avgForward: 'avgPool2d',
  avgBackward: 'avgPool2dBackward',
} as const;

/** Which of the four code panels a step shows. */
export type PoolCode = keyof typeof POOL_CODE_MARKS;

/** Most entries of the im2col matrix the figure draws; a larger matrix is refused with a message. */
export const MAX_DRAWN_ENTRIES = 1024;

/** What one step of the figure does. */
export type PoolStepKind = 'im2col' | 'forward' | 'backward-start' | 'backward' | 'done';

/** One step: its kind, the column it works on (forward/backward steps), its narration and code marks. */
export interface PoolStep {
  kind: PoolStepKind;
  column: number | null;
  narration: string;
  code: PoolCode;
  marks: string[];
}

/** One channel plane of one image: what is drawn for it. */
export interface PoolPlane {
  /** Index of the plane among the `N·C` one-channel images (`n·C + c`). */
  plane: number;
  n: number;
  c: number;
  /** The suffix naming the plane in labels (", channel 1"), empty with one plane. */
  suffix: string;
  /** The input with its zero border (padded size). */
  input: Grid;
  /** `padding[y][x]`: that padded position is in the zero border. */
  padding: boolean[][];
  /** Flat NCHW index of the unpadded pixel (0, 0) of this plane. */
  offset: number;
  output: Grid;
  dy: Grid;
}

/** One window (one column of the matrix): where it is and what it holds. */
export interface PoolColumn {
  column: number;
  plane: number;
  n: number;
  c: number;
  oh: number;
  ow: number;
  /** The engine's im2col copies into this column, row by row (padded positions, padding flags). */
  copies: PatchCopy[];
  /** The engine's col2im adds of this column of dX_col, row by row. */
  adds: ScatterAdd[];
  /** The pooled value y[q] (from maxPool2d / avgPool2d). */
  value: number;
  /** Max pooling: the winning row of the column (maxPool2d's argmax); average: null. */
  argmax: number | null;
  /** The upstream gradient of this output. */
  dy: number;
}

/** Everything the figure draws for one valid example and one mode (all steps at once). */
export interface PoolView {
  mode: PoolMode;
  example: ConvExample;
  pool: PoolGeometry;
  /** The options passed to the engine, stride explicit (pooling's own default would be the window). */
  opts: { stride: number; padding: number; dilation: number };
  /** The im2col matrix `[KH·KW, N·C·OH·OW]`, replayed from im2colInto. */
  trace: PatchExtractionTrace;
  cols: Grid;
  colsLabel: string;
  rowHeaders: string[];
  colHeaders: string[];
  /** `colsPadding[r][q]`: that entry was copied from the zero border. */
  colsPadding: boolean[][];
  /** The pooled output `[N, C, OH, OW]` and, for max, the winning rows (engine). */
  y: Tensor;
  argmax: Int32Array | null;
  /** dX_col `[KH·KW, N·C·OH·OW]`: dy routed to the winner (max) or dy/(KH·KW) everywhere (average). */
  dcols: Tensor;
  dcolsGrid: Grid;
  dcolsLabel: string;
  /** The engine's col2im loop on dX_col, replayed. */
  fold: Col2imTrace;
  /** maxPool2dBackward / avgPool2dBackward, computed separately by the engine. */
  reference: Tensor;
  referenceCall: string;
  /** dx values equal to the reference bit for bit, out of how many. */
  matching: number;
  pixels: number;
  planes: PoolPlane[];
  columns: PoolColumn[];
  steps: PoolStep[];
  /** One line on the sizes. */
  summary: string;
}

/** A focused cell, for linked highlighting. `plane` indexes `view.planes`; x/dx positions are padded. */
export type PoolFocus =
  | { kind: 'x'; plane: number; y: number; x: number }
  | { kind: 'cols'; r: number; q: number }
  | { kind: 'out'; plane: number; oh: number; ow: number }
  | { kind: 'dy'; plane: number; oh: number; ow: number }
  | { kind: 'dcols'; r: number; q: number }
  | { kind: 'dx'; plane: number; y: number; x: number };

const minus = (v: number) => formatValue(v).replace(/^-/, '−');
const signed = (v: number) => (v < 0 ? `(${minus(v)})` : minus(v));
const dims = (a: number, b: number) => `${a} × ${b}`;
const plural = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;

function counting(length: number, start: number): number[] {
  return Array.from({ length }, (_, k) => start + k);
}

function validDims(...d: number[]): boolean {
  return d.every((v) => Number.isInteger(v) && v >= 1);
}

/**
 * The input values used when none were typed for a size: POOL_SEED_INPUT for a single 4×4 image,
 * otherwise small integers 0…9 from the engine's seeded generator (the same for the same size), so
 * the maximum wanders around the windows instead of always sitting in the last corner.
 */
export function poolDefaultInput(N: number, C: number, H: number, W: number): number[] {
  if (N === 1 && C === 1 && H === 4 && W === 4) return [...POOL_SEED_INPUT];
  const rng = createRng((((N * 7 + C) * 31 + H) * 37 + W) * 101);
  return Array.from(randomIntegers([N, C, H, W], rng, 0, 9).data);
}

/**
 * Settings as this figure uses them: `F = C` (the upstream gradient then has pooling's shape), no
 * kernel values, and the input filled with poolDefaultInput when none fit the size.
 */
export function poolSettings(settings: ConvSettings): ConvSettings {
  const { N, C, H, W } = settings;
  const next: ConvSettings = { ...settings, F: C, w: null };
  if (validDims(N, C, H, W) && !(settings.x && settings.x.length === N * C * H * W)) next.x = poolDefaultInput(N, C, H, W);
  return next;
}

/** The starting state of the figure for settings known to be valid (the defaults, a preset). */
export function initialPoolState(settings: ConvSettings = POOL_DEFAULTS): ExampleState {
  return initialState(poolSettings(settings));
}

function optsOf(s: ConvSettings): { stride: number; padding: number; dilation: number } {
  return { stride: s.stride, padding: s.padding, dilation: s.dilation };
}

const RANGE_MESSAGE = /must be an integer from \d+ to \d+/;

/** The message for settings the example builder refused: the pooling op's own when it has one. */
function poolMessage(settings: ConvSettings, message: string): string {
  const relabel = (m: string) => m.replace(/^Kernel (height|width)/, 'Window $1');
  if (RANGE_MESSAGE.test(message)) return relabel(message);
  const { N, C, H, W, KH, KW } = settings;
  try {
    poolGeometry([N, C, H, W], [KH, KW], optsOf(settings), 'maxPool2d');
  } catch (err) {
    if (err instanceof ConvConfigError) return err.message;
    throw err;
  }
  return relabel(message);
}

/**
 * Takes a settings change for this figure (`next` from setNumber, setValue, randomizeValues or
 * applySettings): normalizes it with poolSettings, and when the engine refuses it (the geometry, a
 * max-pooling window lying entirely in the padding, or a matrix too large to draw) keeps `prev`'s
 * example and carries the message. Both modes are checked, so switching mode never fails.
 */
export function guardPool(prev: ExampleState, next: ExampleState): ExampleState {
  const settings = poolSettings(next.settings);
  if (next.error !== null) return { settings, example: prev.example, error: poolMessage(settings, next.error) };
  const applied = applySettings(prev, settings);
  if (applied.error !== null) return { settings, example: prev.example, error: poolMessage(settings, applied.error) };
  try {
    poolView(applied.example, 'max');
    return applied;
  } catch (err) {
    if (err instanceof ConvConfigError) return { settings, example: prev.example, error: err.message };
    throw err;
  }
}

/** `out[0,1]`, `out[c,0,1]` (C > 1) or `out[n,c,0,1]` (N > 1): a cell of a tensor shaped like x or y. */
export function cellName(view: Pick<PoolView, 'pool'>, name: string, n: number, c: number, i: number, j: number): string {
  const [N, C] = view.pool.xShape;
  const coords = [i, j].map(minus);
  if (C > 1 || N > 1) coords.unshift(String(c));
  if (N > 1) coords.unshift(String(n));
  return `${name}[${coords.join(',')}]`;
}

function pairText(v: number): string {
  return String(v);
}

/**
 * Builds the view of an example in one mode: the im2col trace of the channel planes, the engine's
 * pooled output, dX_col, the col2im trace of dX_col and the engine's backward result. Throws
 * ConvConfigError for a pooling the engine refuses or a matrix larger than MAX_DRAWN_ENTRIES.
 */
export function poolView(example: ConvExample, mode: PoolMode): PoolView {
  const s = example.settings;
  const { KH, KW } = s;
  const window: [number, number] = [KH, KW];
  const opts = optsOf(s);
  const x = example.x;
  const pool = poolGeometry(x.shape, window, opts, mode === 'max' ? 'maxPool2d' : 'avgPool2d');
  const [N, C, H, W] = pool.xShape;
  const { OH, OW, ph, pw } = pool.g;
  const R = KH * KW;
  const P = OH * OW;
  const Q = N * C * P;
  if (R * Q > MAX_DRAWN_ENTRIES) {
    throw new ConvConfigError(
      'size',
      `the pooling matrix would be ${R} × ${Q} = ${R * Q} entries, more than the ${MAX_DRAWN_ENTRIES} this figure draws; use a smaller input or window, or fewer channels`,
    );
  }
  const maxResult = maxPool2d(x, window, opts);
  const y = mode === 'max' ? maxResult.y : avgPool2d(x, window, opts);
  const argmax = mode === 'max' ? maxResult.argmax : null;
  const planesX = reshape(x, [N * C, 1, H, W]);
  const trace = tracePatchExtraction(planesX, window, { ...opts, maxEvents: MAX_DRAWN_ENTRIES });

  // dX_col, as the engine's backward passes build it (see POOL_CODE_MARKS.*Backward.route).
  const dyData = example.dy.data;
  const dcolsData = new Float32Array(R * Q);
  if (argmax) {
    for (let q = 0; q < Q; q++) dcolsData[argmax[q] * Q + q] = dyData[q];
  } else {
    const share = new Float32Array(Q);
    for (let q = 0; q < Q; q++) share[q] = dyData[q] / R;
    for (let r = 0; r < R; r++) dcolsData.set(share, r * Q);
  }
  const dcols: Tensor = { shape: [R, Q], data: dcolsData };
  const fold = traceCol2im(dcols, planesX.shape, window, { ...opts, maxEvents: MAX_DRAWN_ENTRIES });
  const reference = argmax
    ? maxPool2dBackward(example.dy, maxResult, window, opts)
    : avgPool2dBackward(example.dy, x.shape, window, opts);
  let matching = 0;
  for (let k = 0; k < reference.data.length; k++) if (Object.is(reference.data[k], fold.dx.data[k])) matching++;

  const padded = padTensor(x, [ph, ph], [pw, pw]);
  const HP = H + 2 * ph;
  const WP = W + 2 * pw;
  const padding = Array.from({ length: HP }, (_, i) => Array.from({ length: WP }, (_, j) => i < ph || i >= ph + H || j < pw || j >= pw + W));
  const planes: PoolPlane[] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const suffix = `${N > 1 ? `, image ${n}` : ''}${C > 1 ? `, channel ${c}` : ''}`;
      planes.push({
        plane: n * C + c, n, c, suffix,
        input: planeOf(padded, n, c),
        padding,
        offset: (n * C + c) * H * W,
        output: planeOf(y, n, c),
        dy: planeOf(example.dy, n, c),
      });
    }
  }
  const columns: PoolColumn[] = trace.steps.map((step, q) => {
    const plane = step.n;
    return {
      column: q, plane, n: Math.floor(plane / C), c: plane % C, oh: step.oh, ow: step.ow,
      copies: step.copies, adds: fold.columns[q].adds, value: y.data[q], argmax: argmax ? argmax[q] : null, dy: dyData[q],
    };
  });
  const colsPadding = Array.from({ length: R }, () => new Array<boolean>(Q).fill(false));
  for (const copy of trace.copies) colsPadding[copy.row][copy.column] = copy.padding;
  const rowHeaders: string[] = [];
  for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) rowHeaders.push(`${kh},${kw}`);
  const colHeaders = columns.map((col) => `${N > 1 ? `n${col.n} ` : ''}${C > 1 ? `c${col.c} ` : ''}${col.oh},${col.ow}`);

  const fn = mode === 'max' ? 'maxPool2dBackward(dy, x' : 'avgPool2dBackward(dy, x.shape';
  const referenceCall = `${fn}, [${KH}, ${KW}], { stride: ${pairText(opts.stride)}, padding: ${pairText(opts.padding)}, dilation: ${pairText(opts.dilation)} })`;
  const view: PoolView = {
    mode, example, pool, opts, trace,
    cols: planeOf(trace.cols),
    colsLabel: `X_col (${dims(R, Q)})`,
    rowHeaders, colHeaders, colsPadding,
    y, argmax, dcols,
    dcolsGrid: planeOf(dcols),
    dcolsLabel: `dX_col (${dims(R, Q)})`,
    fold, reference, referenceCall, matching, pixels: reference.data.length,
    planes, columns, steps: [],
    summary:
      `x ${N > 1 || C > 1 ? `${N} × ${C} × ` : ''}${dims(H, W)} → matrix ${dims(R, Q)} (window ${dims(KH, KW)}, stride ${opts.stride}) → ` +
      `${mode === 'max' ? 'max' : 'mean'} of each column → out ${N > 1 || C > 1 ? `${N} × ${C} × ` : ''}${dims(OH, OW)}`,
  };
  view.steps = buildSteps(view);
  return view;
}

/** The input pixel (unpadded coordinates) a padded position of plane `col` names, e.g. `x[0,3]`. */
function pixelOf(view: PoolView, name: string, n: number, c: number, yp: number, xp: number): string {
  return cellName(view, name, n, c, yp - view.pool.g.ph, xp - view.pool.g.pw);
}

/** `out[0,1] = max(3, 7, 2, 5) = 7` or `out[0,1] = (3 + 7 + 2 + 5)/4 = 4.25`: one window's reduction. */
export function forwardFormula(view: PoolView, q: number): string {
  const col = view.columns[q];
  const out = cellName(view, 'out', col.n, col.c, col.oh, col.ow);
  if (view.mode === 'max') {
    const real = col.copies.filter((cp) => !cp.padding).map((cp) => minus(cp.value));
    return `${out} = max(${real.join(', ')}) = ${minus(col.value)}`;
  }
  return `${out} = (${col.copies.map((cp) => signed(cp.value)).join(' + ')})/${col.copies.length} = ${minus(col.value)}`;
}

/** `dy[0,1] = 2 → x[0,3]` (max) or `dy[0,1] = 2 → 2/4 = 0.5 each` (average): one gradient's route. */
export function backwardFormula(view: PoolView, q: number): string {
  const col = view.columns[q];
  const dy = cellName(view, 'dy', col.n, col.c, col.oh, col.ow);
  if (view.mode === 'max' && col.argmax !== null) {
    const win = col.copies[col.argmax];
    return `${dy} = ${minus(col.dy)} → ${pixelOf(view, 'dx', col.n, col.c, win.y, win.x)} (the max of its window)`;
  }
  const share = view.dcols.data[q];
  return `${dy} = ${minus(col.dy)} → ${minus(col.dy)}/${col.copies.length} = ${minus(share)} to each of the ${col.copies.length} pixels of its window`;
}

function where(view: PoolView, col: PoolColumn): string {
  const [N, C] = view.pool.xShape;
  return `${N > 1 ? `image ${col.n}, ` : ''}${C > 1 ? `channel ${col.c}, ` : ''}row ${col.oh}, column ${col.ow} of the output`;
}

function addText(view: PoolView, col: PoolColumn, add: ScatterAdd): string {
  return `${pixelOf(view, 'dx', col.n, col.c, add.y, add.x)}: ${minus(add.before)} + ${signed(add.value)} = ${minus(add.after)}`;
}

function forwardStep(view: PoolView, col: PoolColumn): PoolStep {
  const Q = view.columns.length;
  const pads = col.copies.filter((cp) => cp.padding).length;
  let text = `Window ${col.column + 1} of ${Q} (${where(view, col)}) is column ${col.column} of the matrix. ${forwardFormula(view, col.column)}`;
  if (view.mode === 'max' && col.argmax !== null) {
    const win = col.copies[col.argmax];
    text += `, found in row ${col.argmax} (window position ${win.kh},${win.kw}), pixel ${pixelOf(view, 'x', col.n, col.c, win.y, win.x)}.`;
    if (pads > 0) text += ` ${plural(pads, 'entry', 'entries')} from the padding ${pads === 1 ? 'is' : 'are'} skipped: padding never wins.`;
    return { kind: 'forward', column: col.column, narration: text, code: 'maxForward', marks: pads > 0 ? ['skip', 'reduce'] : ['reduce'] };
  }
  text += '.';
  if (pads > 0) text += ` The ${plural(pads, 'padding zero counts', 'padding zeros count')} in the mean.`;
  return { kind: 'forward', column: col.column, narration: text, code: 'avgForward', marks: ['reduce', 'store'] };
}

function backwardStep(view: PoolView, col: PoolColumn, wins: Map<string, number>): PoolStep {
  const Q = view.columns.length;
  const dy = cellName(view, 'dy', col.n, col.c, col.oh, col.ow);
  let text = `Gradient ${col.column + 1} of ${Q}: `;
  if (view.mode === 'max' && col.argmax !== null) {
    const add = col.adds[col.argmax];
    const key = `${col.plane},${add.y},${add.x}`;
    const before = wins.get(key) ?? 0;
    wins.set(key, before + 1);
    text +=
      `${dy} = ${minus(col.dy)} goes only to row ${col.argmax} of column ${col.column}, the max of its window; the other ` +
      `${plural(view.columns[0].copies.length - 1, 'row gets', 'rows get')} 0. col2im: ${addText(view, col, add)}`;
    text += before > 0 ? ` — this pixel won ${plural(before, 'earlier window', 'earlier windows')} too, so the gradients add.` : '.';
    return { kind: 'backward', column: col.column, narration: text, code: 'maxBackward', marks: ['route', 'fold'] };
  }
  const R = col.copies.length;
  const share = view.dcols.data[col.column];
  const kept = col.adds.filter((a) => !a.dropped);
  const lost = col.adds.length - kept.length;
  text += `${dy} = ${minus(col.dy)} is shared evenly, ${minus(col.dy)}/${R} = ${minus(share)} in every row of column ${col.column}. col2im: `;
  text += kept.length > 0 ? `${kept.map((a) => addText(view, col, a)).join('; ')}.` : 'every share lands on the padding.';
  if (lost > 0) text += ` ${plural(lost, 'share falls', 'shares fall')} on the padding and ${lost === 1 ? 'is' : 'are'} dropped.`;
  return { kind: 'backward', column: col.column, narration: text, code: 'avgBackward', marks: ['route', 'spread', 'fold'] };
}

function buildSteps(view: PoolView): PoolStep[] {
  const [N, C, H, W] = view.pool.xShape;
  const { KH, KW, OH, OW } = view.pool.g;
  const R = KH * KW;
  const Q = view.columns.length;
  const max = view.mode === 'max';
  const images = N * C;
  const steps: PoolStep[] = [];
  steps.push({
    kind: 'im2col',
    column: null,
    code: max ? 'maxForward' : 'avgForward',
    marks: ['im2col'],
    narration:
      `im2col, one channel at a time: ${images === 1 ? `x (${dims(H, W)}) is read as a one-channel image` : `the ${images} planes of x (${dims(H, W)} each) are read as ${images} one-channel images`}, ` +
      `so each ${dims(KH, KW)} window becomes a column of a ${dims(R, Q)} matrix ` +
      `([KH·KW, N·C·OH·OW] = [${R}, ${Q}]). ${max ? 'Max pooling keeps the largest entry of each column.' : `Average pooling takes the mean of each column: its sum divided by ${R}.`}`,
  });
  for (const col of view.columns) steps.push(forwardStep(view, col));
  steps.push({
    kind: 'backward-start',
    column: null,
    code: max ? 'maxBackward' : 'avgBackward',
    marks: ['route'],
    narration: max
      ? `Backward: dy (${dims(OH, OW)}${images > 1 ? ` per plane` : ''}) has one entry per column. Each goes back to the row that won its column — the "switch" recorded by the forward pass — and every other row gets 0; then col2im adds the columns back into dx, which starts at 0.`
      : `Backward: dy (${dims(OH, OW)}${images > 1 ? ` per plane` : ''}) has one entry per column. Every entry of a window contributed 1/${R} of the mean, so each row of the column gets dy/${R}; then col2im adds the columns back into dx, which starts at 0.`,
  });
  const wins = new Map<string, number>();
  for (const col of view.columns) steps.push(backwardStep(view, col, wins));
  steps.push({ kind: 'done', column: null, code: max ? 'maxBackward' : 'avgBackward', marks: ['fold'], narration: doneText(view) });
  return steps;
}

function doneText(view: PoolView): string {
  let most = 0;
  for (const v of view.fold.coverage.data) most = Math.max(most, v);
  let note: string;
  if (view.mode === 'max') {
    const wins = new Map<string, number>();
    for (const col of view.columns) {
      const add = col.adds[col.argmax ?? 0];
      const key = `${col.plane},${add.y},${add.x}`;
      wins.set(key, (wins.get(key) ?? 0) + 1);
    }
    const top = Math.max(...wins.values());
    note = top > 1
      ? `A pixel that won several overlapping windows collected the sum of their gradients (up to ${top}); pixels that never won keep 0.`
      : 'Every winner won one window only, so nothing was summed; pixels that never won keep 0.';
  } else {
    note = most > 1
      ? `Pixels inside several windows collected one share from each (up to ${most}).`
      : most === 1
        ? 'No two windows overlap, so col2im only placed the shares: nothing was summed.'
        : 'No window reached a pixel.';
  }
  return `dx is complete. ${note} ${checkLine(view, view.steps.length > 0 ? view.steps.length - 1 : -1, true)}`;
}

/**
 * The line under the figure about the check: before the end, what it will compare; at the end,
 * `dx matches maxPool2dBackward(…) ✓` (or ✗ with the count, should they ever differ).
 */
export function checkLine(view: PoolView, index: number, final = false): string {
  const done = final || stepAt(view, index).kind === 'done';
  if (!done) return `At the last step dx is compared with ${view.referenceCall}.`;
  return view.matching === view.pixels
    ? `dx matches ${view.referenceCall} ✓ (all ${view.pixels} values, bit for bit).`
    : `dx differs from ${view.referenceCall} ✗ (${view.matching} of ${view.pixels} values equal).`;
}

/** The step shown at `index` (clamped into the steps). */
export function stepAt(view: PoolView, index: number): PoolStep {
  const steps = view.steps;
  return steps[Math.min(steps.length - 1, Math.max(0, Math.trunc(index) || 0))];
}

/** Where each part starts: the forward pass (index 0) and the backward pass. */
export function phaseStarts(view: PoolView): { forward: number; backward: number } {
  return { forward: 0, backward: view.steps.findIndex((s) => s.kind === 'backward-start') };
}

/** Which phase step `index` belongs to. */
export function phaseOf(view: PoolView, index: number): 'forward' | 'backward' {
  const kind = stepAt(view, index).kind;
  return kind === 'im2col' || kind === 'forward' ? 'forward' : 'backward';
}

/** Columns reduced once step `index` is shown (0 at the im2col step, all from the backward pass on). */
export function reducedColumns(view: PoolView, index: number): number {
  const step = stepAt(view, index);
  if (step.kind === 'im2col') return 0;
  if (step.kind === 'forward') return (step.column ?? 0) + 1;
  return view.columns.length;
}

/** Columns of dX_col filled and folded once step `index` is shown. */
export function foldedColumns(view: PoolView, index: number): number {
  const step = stepAt(view, index);
  if (step.kind === 'backward') return (step.column ?? 0) + 1;
  if (step.kind === 'done') return view.columns.length;
  return 0;
}

/** The values of dx plane `plane` (padded, border 0) once step `index` is shown: the engine's running values. */
export function dxValuesAt(view: PoolView, plane: number, index: number): Grid {
  const p = view.planes[plane];
  const grid = p.padding.map((row) => row.map(() => 0));
  for (const col of view.columns.slice(0, foldedColumns(view, index))) {
    if (col.plane !== p.plane) continue;
    for (const add of col.adds) if (!add.dropped) grid[add.y][add.x] = add.after;
  }
  return grid;
}

/** The padded positions of column q's window that receive something from it (max: the winner; average: every real pixel). */
function receivers(view: PoolView, col: PoolColumn): { y: number; x: number }[] {
  if (view.mode === 'max' && col.argmax !== null) return [col.copies[col.argmax]];
  return col.copies.filter((cp) => !cp.padding);
}

/** Everything a focus links to: input pixels, matrix entries and output cells to mark 'active'. */
interface Linked {
  pixels: Set<string>;
  entries: Set<string>;
  dentries: Set<string>;
  outputs: Set<number>;
}

function linkedOf(view: PoolView, focus: PoolFocus | null): Linked {
  const linked: Linked = { pixels: new Set(), entries: new Set(), dentries: new Set(), outputs: new Set() };
  if (!focus) return linked;
  const P = view.pool.g.OH * view.pool.g.OW;
  const OW = view.pool.g.OW;
  const addColumn = (q: number) => {
    const col = view.columns[q];
    if (!col) return;
    linked.outputs.add(q);
    for (const cp of col.copies) linked.entries.add(`${cp.row},${q}`);
    for (const cp of col.copies) if (!cp.padding) linked.pixels.add(`${col.plane},${cp.y},${cp.x}`);
  };
  if (focus.kind === 'x' || focus.kind === 'dx') {
    const plane = view.planes[focus.plane]?.plane;
    if (plane === undefined) return linked;
    linked.pixels.add(`${plane},${focus.y},${focus.x}`);
    for (const col of view.columns) {
      if (col.plane !== plane) continue;
      for (const cp of col.copies) {
        if (cp.y === focus.y && cp.x === focus.x) {
          linked.entries.add(`${cp.row},${col.column}`);
          const gets = view.mode === 'avg' || col.argmax === cp.row;
          if (gets) linked.dentries.add(`${cp.row},${col.column}`);
        }
      }
    }
  } else if (focus.kind === 'cols' || focus.kind === 'dcols') {
    const col = view.columns[focus.q];
    const cp = col?.copies[focus.r];
    if (!col || !cp) return linked;
    linked.entries.add(`${focus.r},${focus.q}`);
    linked.dentries.add(`${focus.r},${focus.q}`);
    linked.outputs.add(focus.q);
    if (!cp.padding) linked.pixels.add(`${col.plane},${cp.y},${cp.x}`);
  } else {
    const plane = view.planes[focus.plane]?.plane;
    if (plane === undefined) return linked;
    addColumn(plane * P + focus.oh * OW + focus.ow);
    const q = plane * P + focus.oh * OW + focus.ow;
    for (const r of view.columns[q]?.copies.map((cp) => cp.row) ?? []) linked.dentries.add(`${r},${q}`);
  }
  return linked;
}

/** What the component draws at one step: marks, running values and texts (see poolFrame). */
export interface PoolFrame {
  step: PoolStep;
  phase: 'forward' | 'backward';
  inputMarks: ((y: number, x: number) => PoolMark | undefined)[];
  colsMark: (r: number, q: number) => PoolMark | undefined;
  outputMarks: ((oh: number, ow: number) => PoolMark | undefined)[];
  outputBlank: ((oh: number, ow: number) => boolean)[];
  dyMarks: ((oh: number, ow: number) => PoolMark | undefined)[];
  dcolsMark: (r: number, q: number) => PoolMark | undefined;
  dcolsBlank: (r: number, q: number) => boolean;
  dxValues: Grid[];
  dxMarks: ((y: number, x: number) => PoolMark | undefined)[];
  check: string;
  detail: string | null;
}

/**
 * The frame at step `index` with an optional focus. Forward steps: the window in x is 'source' and
 * (max) its winner 'active'; its column is 'source' with the winner (max) or every entry (average)
 * 'active'; the output cell being computed is 'active' and later ones blank. Backward steps: the dy
 * cell is 'active'; its column of dX_col is 'source' with the entries that receive it 'active';
 * the window in dx is 'target' and the receiving pixels 'active'; dX_col columns not reached yet are
 * blank. A focus marks everything linked to it 'active'; other planes than the current one are 'muted'.
 */
export function poolFrame(view: PoolView, index: number, focus: PoolFocus | null = null): PoolFrame {
  const step = stepAt(view, index);
  const phase = phaseOf(view, index);
  const col = step.column === null ? null : view.columns[step.column];
  const { OH, OW } = view.pool.g;
  const P = OH * OW;
  const reduced = reducedColumns(view, index);
  const folded = foldedColumns(view, index);
  const linked = linkedOf(view, focus);
  const max = view.mode === 'max';
  const window = new Set(col ? col.copies.map((cp) => `${cp.y},${cp.x}`) : []);
  const winner = col && col.argmax !== null ? col.copies[col.argmax] : null;
  const receiving = new Set(col ? receivers(view, col).map((p) => `${p.y},${p.x}`) : []);

  const inputMarks = view.planes.map((p) => (y: number, x: number): PoolMark | undefined => {
    if (linked.pixels.has(`${p.plane},${y},${x}`)) return 'active';
    if (!col) return undefined;
    if (col.plane !== p.plane) return 'muted';
    if (winner && winner.y === y && winner.x === x) return 'active';
    if (window.has(`${y},${x}`)) return 'source';
    return undefined;
  });
  const colsMark = (r: number, q: number): PoolMark | undefined => {
    if (linked.entries.has(`${r},${q}`)) return 'active';
    if (!col || q !== col.column) return undefined;
    if (max ? col.argmax === r : step.kind === 'forward') return 'active';
    return 'source';
  };
  const outputMarks = view.planes.map((p) => (oh: number, ow: number): PoolMark | undefined => {
    const q = p.plane * P + oh * OW + ow;
    if (linked.outputs.has(q)) return 'active';
    if (col && q === col.column && step.kind === 'forward') return 'active';
    return undefined;
  });
  const outputBlank = view.planes.map((p) => (oh: number, ow: number) => p.plane * P + oh * OW + ow >= reduced);
  const dyMarks = view.planes.map((p) => (oh: number, ow: number): PoolMark | undefined => {
    const q = p.plane * P + oh * OW + ow;
    if (linked.outputs.has(q)) return 'active';
    if (col && q === col.column && step.kind === 'backward') return 'active';
    if (col && step.kind === 'backward' && q < col.column) return 'muted';
    return undefined;
  });
  const dcolsMark = (r: number, q: number): PoolMark | undefined => {
    if (linked.dentries.has(`${r},${q}`) && q < folded) return 'active';
    if (!col || step.kind !== 'backward' || q !== col.column) return undefined;
    return max ? (col.argmax === r ? 'active' : 'source') : 'active';
  };
  const dcolsBlank = (_r: number, q: number) => q >= folded;
  const dxValues = view.planes.map((_, k) => dxValuesAt(view, k, index));
  const dxMarks = view.planes.map((p) => (y: number, x: number): PoolMark | undefined => {
    if (linked.pixels.has(`${p.plane},${y},${x}`)) return 'active';
    if (!col || step.kind !== 'backward') return undefined;
    if (col.plane !== p.plane) return 'muted';
    if (receiving.has(`${y},${x}`)) return 'active';
    if (window.has(`${y},${x}`)) return 'target';
    return undefined;
  });
  return {
    step, phase, inputMarks, colsMark, outputMarks, outputBlank, dyMarks, dcolsMark, dcolsBlank, dxValues, dxMarks,
    check: checkLine(view, index),
    detail: focusDetail(view, focus),
  };
}

/**
 * A sentence about the focused cell: an input pixel (its value and the windows it is in, and which
 * it wins), a matrix entry (where it was copied from), an output or dy cell (its window's formula),
 * a dX_col entry, or a dx pixel (every contribution it collects, in the engine's order, and the total).
 */
export function focusDetail(view: PoolView, focus: PoolFocus | null): string | null {
  if (!focus) return null;
  const { OH, OW } = view.pool.g;
  const P = OH * OW;
  if (focus.kind === 'x' || focus.kind === 'dx') {
    const p = view.planes[focus.plane];
    if (!p) return null;
    if (p.padding[focus.y]?.[focus.x]) {
      return view.mode === 'max'
        ? 'A padding position: max pooling skips it (it never wins), and nothing flows back to it.'
        : 'A padding position: it counts as 0 in the mean, and its share of the gradient is dropped.';
    }
    const name = pixelOf(view, focus.kind === 'x' ? 'x' : 'dx', p.n, p.c, focus.y, focus.x);
    const cols = view.columns.filter((col) => col.plane === p.plane && col.copies.some((cp) => !cp.padding && cp.y === focus.y && cp.x === focus.x));
    if (focus.kind === 'x') {
      const v = p.input[focus.y][focus.x];
      if (cols.length === 0) return `${name} = ${minus(v)} is in no window: pooling never reads it.`;
      const won = view.mode === 'max' ? cols.filter((col) => col.argmax !== null && col.copies[col.argmax].y === focus.y && col.copies[col.argmax].x === focus.x) : [];
      const list = cols.map((col) => String(col.column + 1)).join(', ');
      let text = `${name} = ${minus(v)} is in ${plural(cols.length, 'window', 'windows')} (${list}).`;
      if (view.mode === 'max') text += won.length > 0 ? ` It is the max of ${plural(won.length, 'window', 'windows')} (${won.map((c) => c.column + 1).join(', ')}).` : ' It is the max of none.';
      return text;
    }
    const adds = view.columns.flatMap((col) => col.adds.filter((a) => !a.dropped && col.plane === p.plane && a.y === focus.y && a.x === focus.x && (view.mode === 'avg' || a.row === col.argmax)));
    if (adds.length === 0) return `${name} = 0: ${view.mode === 'max' ? 'this pixel wins no window, so no gradient reaches it' : 'no window reaches this pixel'}.`;
    const total = view.fold.dx.data[p.offset + (focus.y - view.pool.g.ph) * view.pool.xShape[3] + (focus.x - view.pool.g.pw)];
    return `${name} = ${adds.map((a) => signed(a.value)).join(' + ')} = ${minus(total)} (from ${plural(adds.length, 'window', 'windows')}: ${adds.map((a) => a.column + 1).join(', ')}).`;
  }
  if (focus.kind === 'cols' || focus.kind === 'dcols') {
    const col = view.columns[focus.q];
    const cp = col?.copies[focus.r];
    if (!col || !cp) return null;
    if (focus.kind === 'dcols') {
      const v = view.dcols.data[focus.r * view.columns.length + focus.q];
      const to = cp.padding ? 'lands on the padding and is dropped' : `goes to ${pixelOf(view, 'dx', col.n, col.c, cp.y, cp.x)}`;
      const why = view.mode === 'max' ? (col.argmax === focus.r ? 'the max of its column gets all of dy' : 'not the max: 0') : `dy/${col.copies.length}`;
      return `dX_col[${focus.r}][${focus.q}] = ${minus(v)} (${why}); it ${to}.`;
    }
    const from = cp.padding ? 'the zero padding' : pixelOf(view, 'x', col.n, col.c, cp.y, cp.x);
    const win = view.mode === 'max' && col.argmax === focus.r ? ' — the max of its column' : '';
    return `matrix[${focus.r}][${focus.q}] = ${minus(cp.value)}, copied from ${from} (window ${focus.q + 1}, position ${cp.kh},${cp.kw})${win}.`;
  }
  const p = view.planes[focus.plane];
  if (!p) return null;
  const q = p.plane * P + focus.oh * OW + focus.ow;
  if (!view.columns[q]) return null;
  return focus.kind === 'out' ? `${forwardFormula(view, q)}.` : `${backwardFormula(view, q)}.`;
}

/** Which cells of plane `plane`'s padded grid are the zero border. */
export function paddingOf(view: PoolView, plane: number): (y: number, x: number) => boolean {
  const p = view.planes[plane];
  return (y, x) => p?.padding[y]?.[x] === true;
}

/** Matrix entries copied from the zero border (hatched). */
export function colsPaddingOf(view: PoolView): (r: number, q: number) => boolean {
  return (r, q) => view.colsPadding[r]?.[q] === true;
}

/** The flat NCHW index of the input pixel at padded position (y, x) of plane `plane`, or null on the border. */
export function inputIndex(view: PoolView, plane: number, y: number, x: number): number | null {
  const p = view.planes[plane];
  if (!p || p.padding[y]?.[x] !== false) return null;
  return p.offset + (y - view.pool.g.ph) * view.pool.xShape[3] + (x - view.pool.g.pw);
}

/** The flat index of dy at (oh, ow) of plane `plane` (`[N, C, OH, OW]`, the same as ConvSettings' `[N, F, OH, OW]` with F = C). */
export function dyIndex(view: PoolView, plane: number, oh: number, ow: number): number {
  const { OH, OW } = view.pool.g;
  return (view.planes[plane]?.plane ?? 0) * OH * OW + oh * OW + ow;
}

/** What the figure starts from when it reads the page's URL. */
export interface PoolQueryState {
  state: ExampleState;
  mode: PoolMode;
  index: number;
  notices: string[];
}

/**
 * Reads the figure's state from a URL query: the settings (`pl.` keys, see settingsFromQuery; `pl.f`
 * follows `pl.c`), `pl.mode` (`max` or `avg`) and `pl.step` (1-based). Garbage or a pooling the
 * engine refuses falls back to the defaults with a notice; never throws.
 */
export function readPoolQuery(query: URLSearchParams): PoolQueryState {
  const q = new URLSearchParams(query);
  const cField = SETTING_FIELDS.find((f) => f.key === 'C');
  const cRaw = q.get(`${POOL_PREFIX}c`);
  const cValue = cRaw === null ? Number.NaN : Number(cRaw);
  if (cField && cRaw !== null && cRaw.trim() !== '' && Number.isInteger(cValue) && cValue >= cField.min && cValue <= cField.max) q.set(`${POOL_PREFIX}f`, cRaw);
  else q.delete(`${POOL_PREFIX}f`);
  for (const key of ['n', 'k']) q.delete(`${POOL_PREFIX}${key}`);
  const { settings, notices } = settingsFromQuery(q, POOL_DEFAULTS, POOL_PREFIX);
  const start = initialPoolState();
  let state = guardPool(start, applySettings(start, settings));
  if (state.error !== null) {
    notices.push(`The link's settings could not be drawn (${state.error}); showing the defaults instead.`);
    state = start;
  }
  let mode: PoolMode = 'max';
  const rawMode = q.get(`${POOL_PREFIX}mode`);
  if (rawMode === 'avg' || rawMode === 'max') mode = rawMode;
  else if (rawMode !== null) notices.push(`Ignored pooling "${rawMode}" from the link: it must be max or avg.`);
  // The view is built only when the link names a step.
  const stepKey = `${POOL_PREFIX}step`;
  const index = q.get(stepKey) === null ? 0 : readStepParam(q, stepKey, poolView(state.example, mode).steps.length, notices);
  return { state, mode, index, notices };
}

/**
 * Writes the figure's settings, mode and step into `query` (only `pl.` keys; the input values only
 * when they differ from the size's default, the mode only when it is `avg`, the step only past 1).
 */
export function writePoolQuery(settings: ConvSettings, mode: PoolMode, index: number, query: URLSearchParams): URLSearchParams {
  const { N, C, H, W } = settings;
  const xDefault = validDims(N, C, H, W) ? poolDefaultInput(N, C, H, W) : null;
  const sameX = !!settings.x && !!xDefault && settings.x.length === xDefault.length && settings.x.every((v, k) => v === xDefault[k]);
  const dyDefault = settings.dy ? counting(settings.dy.length, 1) : null;
  const sameDy = !!settings.dy && !!dyDefault && settings.dy.every((v, k) => v === dyDefault[k]);
  settingsToQuery({ ...settings, F: POOL_DEFAULTS.F, N: settings.N, x: sameX ? null : settings.x, w: null, dy: sameDy ? null : settings.dy ?? null }, POOL_DEFAULTS, query, POOL_PREFIX);
  if (mode === 'avg') query.set(`${POOL_PREFIX}mode`, 'avg');
  else query.delete(`${POOL_PREFIX}mode`);
  return writeStepParam(query, `${POOL_PREFIX}step`, index);
}

/** A row of values as a TeX row vector. */
function rowTeX(values: ArrayLike<number>): string {
  return matrixTeX([Array.from(values)]);
}

/**
 * The default example worked by the engine for the lesson's text (all TeX): x, its im2col matrix,
 * the max and the mean of each column, and for dy = 1…4 the two dX_col matrices and their col2im, dx.
 */
export function seedPooling(): {
  tex: { x: string; cols: string; max: string; avg: string; maxCols: string; maxDx: string; avgCols: string; avgDx: string };
  values: { max: number[]; avg: number[]; argmax: number[]; maxDx: Grid; avgDx: Grid };
} {
  const example = buildExample(poolSettings(POOL_DEFAULTS));
  const max = poolView(example, 'max');
  const avg = poolView(example, 'avg');
  const maxDx = planeOf(max.fold.dx, 0, 0);
  const avgDx = planeOf(avg.fold.dx, 0, 0);
  return {
    tex: {
      x: `x = ${matrixTeX(planeOf(example.x, 0, 0))}`,
      cols: `X_\\text{col} = ${matrixTeX(max.cols)}`,
      max: `\\max_\\text{column}\\,X_\\text{col} = ${rowTeX(max.y.data)}`,
      avg: `\\tfrac{1}{4}\\textstyle\\sum_\\text{column} X_\\text{col} = ${rowTeX(avg.y.data)}`,
      maxCols: `dX_\\text{col}^\\text{max} = ${matrixTeX(max.dcolsGrid)}`,
      maxDx: `\\operatorname{col2im}\\big(dX_\\text{col}^\\text{max}\\big) = ${matrixTeX(maxDx)}`,
      avgCols: `dX_\\text{col}^\\text{avg} = ${matrixTeX(avg.dcolsGrid)}`,
      avgDx: `\\operatorname{col2im}\\big(dX_\\text{col}^\\text{avg}\\big) = ${matrixTeX(avgDx)}`,
    },
    values: {
      max: Array.from(max.y.data),
      avg: Array.from(avg.y.data),
      argmax: Array.from(max.argmax ?? []),
      maxDx,
      avgDx,
    },
  };
}
