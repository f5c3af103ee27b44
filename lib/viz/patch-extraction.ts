/**
 * View-model of the patch-extraction step-through (lesson 2): turns the engine's im2col trace into
 * what the figure draws — the padded input as one grid per image and channel, the X_col matrix
 * filling up one column per step, the marks of the current window and column, and the narration.
 * Also the build-time figures of the lesson (the seed product and the AlexNet-sized layer).
 * Pure: no DOM, no Svelte; every number comes from the engine.
 */
import type { ConvGeometry, ConvOptions } from '../geometry.ts';
import { convGeometry, outputSize } from '../geometry.ts';
import { ConvConfigError } from '../errors.ts';
import { im2col, im2colBytes } from '../im2col/im2col.ts';
import { matmulReference as matmul } from '../gemm.ts';
import { padTensor } from '../ops/dilated.ts';
import { reshape } from '../tensor.ts';
import type { PatchExtractionTrace, PatchStep } from '../trace/patch-extraction.ts';
import { tracePatchExtraction } from '../trace/patch-extraction.ts';
import type { ConvExample, ConvSettings, ExampleState, NumericKey } from './conv-settings.ts';
import { SEED_SETTINGS, buildExample, settingsFromQuery, settingsToQuery, keepDrawable } from './conv-settings.ts';
import { buildOrFallback, readStepParam, writeStepParam } from './figure-query.ts';
import { formatBytes, formatValue } from './format.ts';
import type { Grid } from './grid.ts';
import { planeOf } from './grid.ts';
import { matrixTeX } from './tex.ts';

/** A mark on a drawn cell, as MatrixGrid understands it. */
export type PatchMark = 'active' | 'source' | 'target' | 'padding' | 'muted';

/** The URL prefix of this figure's state (`pe.h=4&pe.p=1&pe.step=3`). */
export const PATCH_PREFIX = 'pe.';

/** The settings the figure offers (no filters: im2col does not depend on them). */
export const PATCH_FIELDS: readonly NumericKey[] = ['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation', 'C', 'N'];

/** The figure's starting point: the seed's 3×3 input 1…9 and a 2×2 kernel (4 windows). */
export const PATCH_DEFAULTS: ConvSettings = SEED_SETTINGS;

/** Most matrix entries the figure draws; a larger X_col is refused with a message, not drawn. */
export const MAX_DRAWN_ENTRIES = 4096;

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
  /** `sources[k]`: keys `c,y,x` of the padded cells step k reads (image `steps[k].n`). */
  sources: Set<string>[];
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
 * Builds the view of an example by tracing the engine's im2colInto. Throws ConvConfigError when
 * X_col would have more than MAX_DRAWN_ENTRIES entries (too many to draw legibly).
 */
export function patchView(example: ConvExample): PatchView {
  const g = example.geometry;
  const { N, C, H, W, KH, KW, ph, pw, OH, OW } = g;
  const rows = C * KH * KW;
  const columns = N * OH * OW;
  if (rows * columns > MAX_DRAWN_ENTRIES) {
    throw new ConvConfigError(
      'size',
      `X_col would be ${rows} × ${columns} = ${rows * columns} entries, more than the ${MAX_DRAWN_ENTRIES} this figure draws; use a smaller input, kernel, batch or fewer channels`,
    );
  }
  const opts: ConvOptions = { stride: [g.sh, g.sw], padding: [ph, pw], dilation: [g.dh, g.dw] };
  const trace = tracePatchExtraction(example.x, [KH, KW], { ...opts, maxEvents: MAX_DRAWN_ENTRIES });
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
  return {
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
  };
}

/**
 * Guards a settings change for this figure: when `next` is valid for the engine but too large to
 * draw, keeps `prev`'s example and sets the message; otherwise returns `next` unchanged.
 */
export function guardDrawable(prev: ExampleState, next: ExampleState): ExampleState {
  return keepDrawable(prev, next, patchView);
}

/** The step shown at `index` (clamped into the trace). */
export function stepAt(view: PatchView, index: number): PatchStep {
  const steps = view.trace.steps;
  return steps[Math.min(steps.length - 1, Math.max(0, Math.trunc(index) || 0))];
}

/**
 * Marks of an input panel at step `index`: the focused cell is 'active'; the cells the current
 * window reads are 'source'; panels of another image are 'muted'; the rest of the zero border is
 * 'padding'. (inputPaddingOf flags the border whatever the mark, so a window cell in it reads as both.)
 */
export function inputMarkOf(view: PatchView, panel: number, index: number, focus: InputFocus | null = null): (r: number, c: number) => PatchMark | undefined {
  const p = view.panels[panel];
  const step = stepAt(view, index);
  const sources = view.sources[step.column];
  return (r, c) => {
    if (focus && focus.panel === panel && focus.r === r && focus.c === c) return 'active';
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
 * Marks of X_col at step `index`: entries that hold a copy of the focused input cell are 'active';
 * the column being filled is 'target'; columns not filled yet are 'muted' (and blank, see
 * matrixBlankOf).
 */
export function matrixMarkOf(view: PatchView, index: number, focus: InputFocus | null = null): (r: number, q: number) => PatchMark | undefined {
  const step = stepAt(view, index);
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
    if (q === step.column) return 'target';
    if (q > step.column) return 'muted';
    return undefined;
  };
}

/** X_col entries not copied yet at step `index` (columns after the current one): drawn empty. */
export function matrixBlankOf(view: PatchView, index: number): (r: number, q: number) => boolean {
  const column = stepAt(view, index).column;
  return (_r, q) => q > column;
}

/** X_col entries already copied at step `index` whose value came from the zero border. */
export function matrixPaddingOf(view: PatchView, index: number): (r: number, q: number) => boolean {
  const column = stepAt(view, index).column;
  return (r, q) => q <= column && view.fromPadding[r][q];
}

/** The values X_col shows at step `index` (columns not filled yet are null), row by row. */
export function matrixShownAt(view: PatchView, index: number): (number | null)[][] {
  const column = stepAt(view, index).column;
  return view.matrix.map((row) => row.map((v, q) => (q <= column ? v : null)));
}

function listValues(values: number[]): string {
  return values.map((v) => formatValue(v)).join(', ');
}

function joinAnd(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/**
 * The narration of step `index`, with its arithmetic: which window, which values it copies (per
 * channel when C > 1, with the padding zeros counted) and how its column index is computed, e.g.
 * "Window 3 of 4 (row 1, column 0 of the output): copies 4, 5, 7, 8 into column 2 of X_col
 * (column = oh·OW + ow = 1·2 + 0 = 2)."
 */
export function narrate(view: PatchView, index: number): string {
  const step = stepAt(view, index);
  const { N, C, OH, OW } = view.geometry;
  const total = view.trace.steps.length;
  const where = `${N > 1 ? `image ${step.n}, ` : ''}row ${step.oh}, column ${step.ow} of the output`;
  let copied: string;
  if (C > 1) {
    const perChannel = Array.from({ length: C }, (_, c) => `${listValues(step.copies.filter((k) => k.c === c).map((k) => k.value))} (channel ${c})`);
    copied = joinAnd(perChannel);
  } else {
    copied = listValues(step.copies.map((k) => k.value));
  }
  const zeros = step.copies.filter((k) => k.padding).length;
  const padNote = zeros === 0 ? '' : zeros === step.copies.length ? ' — all of them padding zeros' : ` — ${zeros} of them padding zero${zeros === 1 ? '' : 's'}`;
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

/** What the figure starts from when it reads the page's URL: the state, the step and notices. */
export interface PatchQueryState {
  state: ExampleState;
  index: number;
  notices: string[];
}

/**
 * Reads the figure's state from a URL query (`pe.` keys, see settingsFromQuery, plus `pe.step`,
 * 1-based). Garbage or settings too large to draw fall back to the defaults with a notice; never throws.
 */
export function readPatchQuery(query: URLSearchParams): PatchQueryState {
  const { settings, notices } = settingsFromQuery(query, PATCH_DEFAULTS, PATCH_PREFIX);
  const { state, view } = buildOrFallback(settings, PATCH_DEFAULTS, patchView, notices);
  const index = readStepParam(query, `${PATCH_PREFIX}step`, view.trace.steps.length, notices);
  return { state, index, notices };
}

/** Writes the figure's settings and step (1-based, omitted at the first step) into `query`. */
export function writePatchQuery(settings: ConvSettings, index: number, query: URLSearchParams): URLSearchParams {
  settingsToQuery(settings, PATCH_DEFAULTS, query, PATCH_PREFIX);
  return writeStepParam(query, `${PATCH_PREFIX}step`, index);
}

/** A matrix as a TeX `bmatrix` (values formatted like the figures); see tex.ts. */
export { matrixTeX };

/** An integer with thin spaces between groups of three digits, for TeX (`4\,392\,300`). */
export function groupDigitsTeX(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '\\,');
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
  const tex =
    `\\underbrace{${matrixTeX(w)}}_{W_\\text{row}}\\;` +
    `\\underbrace{${matrixTeX(x)}}_{X_\\text{col}} = ${matrixTeX(y)}`;
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
export function layerSizes(xShape: readonly number[], filters: number, kernel: readonly [number, number], opts: ConvOptions = {}): LayerSizes {
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
