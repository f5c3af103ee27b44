import type { ConvGeometry } from '../geometry.ts';
import type { ConvExample, ExampleState } from './conv-settings.ts';
import { tracePatchExtraction } from '../trace/patch-extraction.ts';
import { gemmCellTerms } from '../trace/gemm-trace.ts';
import { conv2d } from '../ops/conv2d.ts';
import { dilateTensor, padTensor } from '../ops/dilated.ts';
import { reshape } from '../tensor.ts';
import { ConvConfigError } from '../errors.ts';
import { SEED_SETTINGS, initialState, settingsFromQuery, settingsToQuery } from './conv-settings.ts';
import { readStepParam, writeStepParam } from './figure-query.ts';
import { formatProduct, formatValue } from './format.ts';
import { planeOf } from './grid.ts';
import type { Grid } from './grid.ts';

/**
 * The view-model of the convolution playground (lesson 1): one image, one channel, one filter.
 * Every number comes from the engine: the windows from tracePatchExtraction (im2col's own loop),
 * each output cell's terms and sum from gemmCellTerms (the GEMM's dot product of the kernel row
 * with that window's column), the output grid from conv2d, the padded input from padTensor and the
 * dilated kernel from dilateTensor. Nothing here re-computes a convolution.
 */

/** A cell mark as MatrixGrid draws it (kept structurally identical to its CellMark). */
export type Mark = 'active' | 'source' | 'target' | 'padding' | 'muted';

/** A grid of marks, `undefined` where a cell is drawn plainly. */
export type MarkGrid = (Mark | undefined)[][];

/** One term of an output cell's dot product: the input value under kernel tap `(kh, kw)` times that tap. */
export interface PlaygroundTerm {
  /** Position in the dot product (the im2col row `r = kh·KW + kw`). */
  k: number;
  kh: number;
  kw: number;
  /** Where the value was read, in padded coordinates (rows and columns of the drawn input grid). */
  y: number;
  x: number;
  /** The same place in the unpadded input, or null when it lies in the zero padding. */
  row: number | null;
  col: number | null;
  padding: boolean;
  /** The input value (from the im2col matrix) and the kernel value (from W_row). */
  input: number;
  weight: number;
  /** `input·weight` and the running sum after this term, as the GEMM accumulates them. */
  product: number;
  running: number;
  /** `4·10`, negative factors in parentheses. */
  text: string;
  /** A readable line for the term list, e.g. `x[1,0]·w[0,0] = 4·10 = 40`. */
  line: string;
}

/** One stop of the window: output cell `(oh, ow)`, im2col column `column`. */
export interface PlaygroundStep {
  column: number;
  oh: number;
  ow: number;
  /** Top-left corner of the window's footprint in padded coordinates. */
  originY: number;
  originX: number;
  terms: PlaygroundTerm[];
  /** The dot product as the GEMM returns it (float32). */
  sum: number;
  /** The narration, e.g. `out[1,0] = 4·10 + 5·11 + 7·12 + 8·13 = 283`. */
  narration: string;
}

/** Everything the playground draws for one valid example. */
export interface PlaygroundModel {
  geometry: ConvGeometry;
  /** The zero-padded input, `HP×WP` (padTensor). */
  padded: Grid;
  /** True where a padded cell is zero padding. */
  paddingMask: boolean[][];
  /** Row and column headers of the padded grid: the unpadded index, or '' on padding. */
  rowHeaders: string[];
  colHeaders: string[];
  kernel: Grid;
  /** The kernel with `dilation − 1` zeros between taps (`EKH×EKW`, dilateTensor), or null when dilation is 1. */
  dilatedKernel: Grid | null;
  /** The engine's output, `OH×OW` (conv2d). */
  output: Grid;
  /** One step per output cell in row-major order (= im2col column order). */
  steps: PlaygroundStep[];
  /** For each padded cell, the steps whose window reads it (linked highlighting). */
  readers: number[][][];
  /** Grid captions with their sizes, e.g. `Input 3 × 3, padded to 5 × 5`, `Output 2 × 2`. */
  captions: { input: string; kernel: string; dilatedKernel: string; output: string };
}

/** Which cell the reader is pointing at (hover or keyboard focus), for linked highlighting. */
export type PlaygroundFocus = { grid: 'input' | 'kernel' | 'output'; r: number; c: number } | null;

/** The marks of every grid for one step and focus. */
export interface PlaygroundMarks {
  input: MarkGrid;
  kernel: MarkGrid;
  dilatedKernel: MarkGrid | null;
  output: MarkGrid;
}

function assertSingle(example: ConvExample): void {
  const { N, C } = example.geometry;
  const F = example.w.shape[0];
  if (N !== 1 || C !== 1 || F !== 1) {
    throw new ConvConfigError('example', `the playground shows one image, one channel and one filter, got N=${N}, C=${C}, F=${F}`);
  }
}

/**
 * Builds the playground for a valid one-image, one-channel, one-filter example. The windows are
 * the steps of tracePatchExtraction; each step's terms are gemmCellTerms(W_row, cols, 0, column),
 * so the narrated sum is the GEMM's output for that cell. Throws ConvConfigError for N, C or F ≠ 1.
 */
export function buildPlayground(example: ConvExample): PlaygroundModel {
  assertSingle(example);
  const { x, w, geometry: g } = example;
  const { stride, padding, dilation } = example.settings;
  const opts = { stride, padding, dilation };
  const trace = tracePatchExtraction(x, [g.KH, g.KW], opts);
  const wRow = reshape(w, [1, g.KH * g.KW]);
  const out = conv2d(x, w, null, opts);

  const steps: PlaygroundStep[] = trace.steps.map((patch) => {
    const cell = gemmCellTerms(wRow, trace.cols, 0, patch.column);
    const terms: PlaygroundTerm[] = cell.terms.map((t) => {
      const copy = patch.copies[t.k];
      const row = copy.padding ? null : copy.y - g.ph;
      const col = copy.padding ? null : copy.x - g.pw;
      const text = formatProduct(t.b, t.a);
      const where = copy.padding ? 'pad' : `x[${row},${col}]`;
      return {
        k: t.k, kh: copy.kh, kw: copy.kw, y: copy.y, x: copy.x, row, col, padding: copy.padding,
        input: t.b, weight: t.a, product: t.product, running: t.running, text,
        line: `${where}·w[${copy.kh},${copy.kw}] = ${text} = ${formatValue(t.product)}`,
      };
    });
    const narration = `out[${patch.oh},${patch.ow}] = ${terms.map((t) => t.text).join(' + ')} = ${formatValue(cell.sum)}`;
    return { column: patch.column, oh: patch.oh, ow: patch.ow, originY: patch.originY, originX: patch.originX, terms, sum: cell.sum, narration };
  });

  const readers: number[][][] = Array.from({ length: g.HP }, () => Array.from({ length: g.WP }, () => []));
  for (const copy of trace.copies) readers[copy.y][copy.x].push(copy.column);
  for (const row of readers) for (const list of row) list.sort((a, b) => a - b);

  const paddedTensor = padTensor(x, [g.ph, g.ph], [g.pw, g.pw]);
  const paddingMask = Array.from({ length: g.HP }, (_, y) =>
    Array.from({ length: g.WP }, (_, xx) => y < g.ph || y >= g.ph + g.H || xx < g.pw || xx >= g.pw + g.W),
  );
  const headers = (count: number, pad: number, size: number) =>
    Array.from({ length: count }, (_, k) => (k < pad || k >= pad + size ? '' : String(k - pad)));

  return {
    geometry: g,
    padded: planeOf(paddedTensor),
    paddingMask,
    rowHeaders: headers(g.HP, g.ph, g.H),
    colHeaders: headers(g.WP, g.pw, g.W),
    kernel: planeOf(w),
    dilatedKernel: g.dh === 1 && g.dw === 1 ? null : planeOf(dilateTensor(w, [g.dh, g.dw])),
    output: planeOf(out),
    steps,
    readers,
    captions: {
      input: g.ph === 0 && g.pw === 0 ? `Input ${g.H} × ${g.W}` : `Input ${g.H} × ${g.W}, padded to ${g.HP} × ${g.WP}`,
      kernel: `Kernel ${g.KH} × ${g.KW}`,
      dilatedKernel: `Dilated footprint ${g.EKH} × ${g.EKW}`,
      output: `Output ${g.OH} × ${g.OW}`,
    },
  };
}

function emptyMarks(rows: number, cols: number): MarkGrid {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => undefined));
}

/**
 * The marks for step `index` with the reader pointing at `focus`:
 * - input: the window's taps `source` (padding shows through MatrixGrid's padding overlay), cells of
 *   the dilated footprint that the kernel skips `muted`; pointing at an input cell marks it `active`;
 * - kernel: every tap `source`; the dilated kernel marks its taps `source` and its inserted zeros `muted`;
 * - output: the current cell `active`; pointing at an input cell marks every output cell whose
 *   window reads it `target`;
 * - pointing at a kernel tap marks that tap and the input value it meets in this window `active`.
 */
export function playgroundMarks(model: PlaygroundModel, index: number, focus: PlaygroundFocus = null): PlaygroundMarks {
  const g = model.geometry;
  const input = emptyMarks(g.HP, g.WP);
  const kernel = emptyMarks(g.KH, g.KW);
  const output = emptyMarks(g.OH, g.OW);
  const dilatedKernel = model.dilatedKernel ? emptyMarks(g.EKH, g.EKW) : null;
  const step = model.steps[index];
  if (step) {
    for (let dy = 0; dy < g.EKH; dy++) {
      for (let dx = 0; dx < g.EKW; dx++) {
        const y = step.originY + dy;
        const xx = step.originX + dx;
        if (y < g.HP && xx < g.WP) input[y][xx] = 'muted';
        if (dilatedKernel) dilatedKernel[dy][dx] = 'muted';
      }
    }
    for (const t of step.terms) {
      input[t.y][t.x] = 'source';
      kernel[t.kh][t.kw] = 'source';
      if (dilatedKernel) dilatedKernel[t.kh * g.dh][t.kw * g.dw] = 'source';
    }
    output[step.oh][step.ow] = 'active';
  }
  if (focus?.grid === 'input' && focus.r >= 0 && focus.r < g.HP && focus.c >= 0 && focus.c < g.WP) {
    for (const q of model.readers[focus.r][focus.c]) {
      const s = model.steps[q];
      if (output[s.oh][s.ow] !== 'active') output[s.oh][s.ow] = 'target';
    }
    input[focus.r][focus.c] = 'active';
    const term = step?.terms.find((t) => t.y === focus.r && t.x === focus.c);
    if (term) kernel[term.kh][term.kw] = 'active';
  }
  if (focus?.grid === 'kernel' && step) {
    const term = step.terms.find((t) => t.kh === focus.r && t.kw === focus.c);
    if (term) {
      kernel[term.kh][term.kw] = 'active';
      input[term.y][term.x] = 'active';
      if (dilatedKernel) dilatedKernel[term.kh * g.dh][term.kw * g.dw] = 'active';
    }
  }
  return { input, kernel, dilatedKernel, output };
}

/**
 * The flat NCHW index of the input pixel drawn at padded `(y, x)`, for editing; null on padding
 * or outside the grid.
 */
export function inputIndexAt(model: PlaygroundModel, y: number, x: number): number | null {
  const g = model.geometry;
  const row = y - g.ph;
  const col = x - g.pw;
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || row >= g.H || col < 0 || col >= g.W) return null;
  return row * g.W + col;
}

/** The step that computes output cell `(oh, ow)`, or −1 outside the output. */
export function stepOfOutput(model: PlaygroundModel, oh: number, ow: number): number {
  return model.steps.findIndex((s) => s.oh === oh && s.ow === ow);
}

/**
 * The output-size formula with this geometry's numbers plugged in, one line per axis, e.g.
 * `OH = ⌊(3 + 2·0 − 1·(2 − 1) − 1) / 1⌋ + 1 = 2`. The result is the engine's (convGeometry).
 */
export function outputSizeLines(g: ConvGeometry): [string, string] {
  return [
    `OH = ⌊(${g.H} + 2·${g.ph} − ${g.dh}·(${g.KH} − 1) − 1) / ${g.sh}⌋ + 1 = ${g.OH}`,
    `OW = ⌊(${g.W} + 2·${g.pw} − ${g.dw}·(${g.KW} − 1) − 1) / ${g.sw}⌋ + 1 = ${g.OW}`,
  ];
}

/**
 * Reads the step from the URL query (`<prefix>step`, 1-based). Missing → 0; anything that is not
 * an integer in `[1, total]` → 0 with a notice for the reader. Never throws.
 */
export function stepFromQuery(query: URLSearchParams, total: number, prefix = ''): { index: number; notice: string | null } {
  const notices: string[] = [];
  const index = readStepParam(query, `${prefix}step`, total, notices);
  return { index, notice: notices[0] ?? null };
}

/** Writes the step (1-based) into `query` under `<prefix>step`, leaving it out for the first step. */
export function stepToQuery(index: number, query: URLSearchParams, prefix = ''): URLSearchParams {
  return writeStepParam(query, `${prefix}step`, index);
}

/** The settings fields the playground offers (one image, one channel, one filter). */
export const PLAYGROUND_FIELDS = ['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation'] as const;

/**
 * Restores the playground from a URL query: settings under `prefix` (settingsFromQuery, defaults =
 * the seed example), forced to one image, channel and filter, and the step (stepFromQuery). Every
 * unreadable part falls back to its default with a notice; never throws.
 */
export function restoreFromQuery(query: URLSearchParams, prefix = ''): { state: ExampleState; index: number; notices: string[] } {
  const read = settingsFromQuery(query, SEED_SETTINGS, prefix);
  const notices = [...read.notices];
  let settings = read.settings;
  if (settings.N !== 1 || settings.C !== 1 || settings.F !== 1) {
    notices.push('Ignored batch, channels and filters from the link: the playground shows one image, one channel and one filter.');
    settings = { ...settings, N: 1, C: 1, F: 1, x: null, w: null };
  }
  let state: ExampleState;
  try {
    state = initialState(settings);
  } catch (err) {
    notices.push(`The link's settings were not valid (${err instanceof Error ? err.message : String(err)}); showing the defaults instead.`);
    state = initialState(SEED_SETTINGS);
  }
  const total = state.example.geometry.OH * state.example.geometry.OW;
  const step = stepFromQuery(query, total, prefix);
  if (step.notice) notices.push(step.notice);
  return { state, index: step.index, notices };
}

/** Writes the playground's last valid settings and its step into `query` under `prefix`. */
export function playgroundToQuery(state: ExampleState, index: number, query: URLSearchParams, prefix = ''): URLSearchParams {
  settingsToQuery(state.example.settings, SEED_SETTINGS, query, prefix);
  return stepToQuery(index, query, prefix);
}
