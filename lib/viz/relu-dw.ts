/**
 * View-model of the "ReLU mask and dW" figure (lesson 6): the backward pass of conv + ReLU, in
 * three stages replayed from the engine.
 *
 * 1. ReLU: `Z = conv2d(x, w)`, `A = relu(Z)`, `mask = reluMask(Z)`, and the upstream gradient
 *    gated cell by cell: `δ_Z = reluBackward(upstream, Z)` (one step per cell).
 * 2. Bias: `db[f]` is the sum of δ_Z over every image and position (one step per filter), read
 *    from the engine's conv2dBackward.
 * 3. Weights: `dW = dY_row × X_colᵀ` (`[F, N·OH·OW] × [N·OH·OW, C·KH·KW]`), one weight per step,
 *    replaying the engine's GEMM trace; the last step reads the product as `[F, C, KH, KW]` and
 *    checks it against conv2dBackward(δ_Z, x, w).dw.
 *
 * Pure: no DOM, no Svelte. Every number comes from lib/ (conv2d, relu, reluMask, reluBackward,
 * conv2dBackward, im2col's trace and the GEMM trace); this module only arranges and words them.
 */
import type { ConvOptions } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { ConvConfigError } from '../errors.ts';
import { conv2d, nchwToRows } from '../ops/conv2d.ts';
import { conv2dBackward } from '../ops/conv2d-backward.ts';
import { withGemmKernel } from '../gemm.ts';
import type { Conv2dGradients } from '../ops/conv2d-backward.ts';
import { relu, reluBackward, reluMask } from '../ops/relu.ts';
import { padTensor } from '../ops/dilated.ts';
import type { PatchCopy } from '../im2col/im2col.ts';
import { tracePatchExtraction } from '../trace/patch-extraction.ts';
import { traceGemm } from '../trace/gemm-trace.ts';
import type { GemmCellStep, GemmTrace } from '../trace/gemm-trace.ts';
import type { ConvExample, ConvSettings, ExampleState, NumericKey } from './conv-settings.ts';
import { SEED_SETTINGS, buildExample, settingsFromQuery, settingsToQuery, keepDrawable } from './conv-settings.ts';
import { readStepParam, writeStepParam } from './figure-query.ts';
import type { Grid } from './grid.ts';
import { planeOf } from './grid.ts';
import { matrixTeX as matrixTex } from './tex.ts';
import { formatValue } from './format.ts';

/** The URL query prefix of this figure's state (`rd.h`, `rd.g`, `rd.step`, …). */
export const RELU_DW_PREFIX = 'rd.';

/** The settings fields the figure offers, in the order of the form. */
export const RELU_DW_FIELDS: readonly NumericKey[] = ['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation', 'C', 'F', 'N'];

/** The seed's upstream gradient ∂L/∂A of the ReLU example (University of Pisa slides). */
export const SEED_UPSTREAM: readonly number[] = [1.23, 3.59, 4.65, 0.81];

/**
 * The figure's defaults: the ReLU example of the University of Pisa slides — a 3×3 input of ones
 * with 10 in the middle, the kernel 1 1 / 1 −5, and the upstream gradient 1.23 3.59 / 4.65 0.81.
 */
export const RELU_DW_DEFAULTS: ConvSettings = {
  ...SEED_SETTINGS,
  x: [1, 1, 1, 1, 10, 1, 1, 1, 1],
  w: [1, 1, 1, -5],
  dy: [...SEED_UPSTREAM],
};

/** A preset button of the figure. */
export interface ReluDwPreset {
  id: 'seed' | 'overlapping' | 'non-overlapping';
  label: string;
  settings: ConvSettings;
}

/**
 * The presets: the seed example; overlapping windows (5×5 input, 3×3 kernel, stride 2: the middle
 * row and column of the input sit under two windows each); non-overlapping windows (4×4 input,
 * 2×2 kernel, stride 2: every pixel under exactly one window). All three keep the seed's upstream
 * gradient so the mask is the only thing that changes what flows.
 */
export const RELU_DW_PRESETS: readonly ReluDwPreset[] = [
  { id: 'seed', label: 'Seed ReLU example', settings: RELU_DW_DEFAULTS },
  {
    id: 'overlapping',
    label: 'Overlapping windows',
    settings: {
      ...SEED_SETTINGS, H: 5, W: 5, KH: 3, KW: 3, stride: 2,
      x: [2, 1, 0, 1, 3, 1, 4, 2, 0, 1, 0, 2, 5, 1, 2, 3, 0, 1, 2, 0, 1, 1, 0, 3, 2],
      w: [0, 1, 0, 1, -2, 1, 0, 1, 0],
      dy: [...SEED_UPSTREAM],
    },
  },
  {
    id: 'non-overlapping',
    label: 'Non-overlapping windows',
    settings: {
      ...SEED_SETTINGS, H: 4, W: 4, KH: 2, KW: 2, stride: 2,
      x: [1, 2, 0, 3, 4, 1, 2, 1, 0, 3, 1, 1, 2, 5, 4, 0],
      w: [1, -1, 2, -1],
      dy: [...SEED_UPSTREAM],
    },
  },
];

/** The preset with this id (throws for an unknown id, so a typo breaks the build). */
export function reluDwPreset(id: ReluDwPreset['id']): ReluDwPreset {
  const preset = RELU_DW_PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`unknown ReLU/dW preset ${id}`);
  return preset;
}

/** Most entries of X_colᵀ the figure draws; a larger one is refused with a message, not drawn. */
export const MAX_DRAWN_ENTRIES = 2048;

/** Lines of the engine's reluBackward (lib/ops/relu.ts) the code panel marks in stage 1. */
export const RELU_CODE_MARKS: Readonly<Record<string, string>> = {
  mask: 'out[k] = pre[k] > 0 ? g[k] : 0;',
};

/** Lines of the engine's conv2dBackward (lib/ops/conv2d-backward.ts) the code panel marks in stages 2 and 3. */
export const BACKWARD_CODE_MARKS: Readonly<Record<string, string>> = {
  dyRows: 'const dyRows = nchwToRows(dy.data, N, F, P);',
  dbSum: 'sum += dyRows[q];',
  db: 'db[f] = sum;',
  im2col: 'im2colInto(x.data, g, cols);',
  dw: 'gemmInto(F, K, Q, dyRows, false, cols, true, dw);',
  result: 'dw: { shape: [F, C, KH, KW], data: dw }',
};

/** A cell mark, as the matrix grids draw them. */
export type ReluDwMark = 'active' | 'source' | 'target' | 'padding' | 'muted';

/** Which engine function the code panel shows for a step. */
export type CodeFile = 'relu' | 'backward';

/** The three stages of the figure. */
export type ReluDwStage = 'relu' | 'bias' | 'weight';

interface StepBase {
  stage: ReluDwStage;
  code: CodeFile;
  /** Names of the code panel's lines highlighted at this step. */
  marks: string[];
  narration: string;
}

/** The first step: the forward pass is done (Z, A, mask), nothing has flowed back yet. */
export interface ForwardStep extends StepBase {
  kind: 'forward';
}

/** One cell of δ_Z: `δ[n,f,oh,ow] = upstream · mask`. `index` is its flat NCHW position. */
export interface DeltaStep extends StepBase {
  kind: 'delta';
  index: number;
  map: number;
  n: number;
  f: number;
  oh: number;
  ow: number;
}

/** One entry of the bias gradient: `db[f]` = sum of δ_Z over every image and position. */
export interface BiasStep extends StepBase {
  kind: 'bias';
  f: number;
}

/** The operands of the weight GEMM: dY_row (δ_Z as `[F, N·OH·OW]`) and X_colᵀ. */
export interface OperandsStep extends StepBase {
  kind: 'operands';
}

/**
 * One weight `w[f, c, kh, kw]` (column `r = (c·KH + kh)·KW + kw` of X_colᵀ): its gradient is the
 * dot product of row f of dY_row with column r of X_colᵀ, `cell` being the engine's GEMM trace.
 */
export interface WeightStep extends StepBase {
  kind: 'weight';
  f: number;
  r: number;
  c: number;
  kh: number;
  kw: number;
  cell: GemmCellStep;
}

/** The last step: dW_row read as `[F, C, KH, KW]`, checked against conv2dBackward's dw. */
export interface DoneStep extends StepBase {
  kind: 'done';
}

/** A step of the figure. */
export type ReluDwStep = ForwardStep | DeltaStep | BiasStep | OperandsStep | WeightStep | DoneStep;

/** One output plane (image n, filter f) through the ReLU stage: Z, A, mask, upstream, δ_Z. */
export interface MapPlanes {
  /** `n·F + f`, the plane's place in NCHW order. */
  map: number;
  n: number;
  f: number;
  /** `image n, filter f`, or '' when N = F = 1. */
  label: string;
  z: Grid;
  a: Grid;
  mask: Grid;
  upstream: Grid;
  delta: Grid;
}

/** A padded input plane (image n, channel c), editable where it is not padding. */
export interface InputPanel {
  n: number;
  c: number;
  label: string;
  /** The padded plane (zeros in the border). */
  values: Grid;
  /** `padding[y][x]`: that cell is the zero border. */
  padding: boolean[][];
}

/** A kernel plane w[f, c] or its gradient dW[f, c]. */
export interface KernelPlane {
  f: number;
  c: number;
  label: string;
  grid: Grid;
}

/** Everything the figure draws for one valid example, computed once per example. */
export interface ReluDwView {
  example: ConvExample;
  N: number;
  C: number;
  H: number;
  W: number;
  F: number;
  KH: number;
  KW: number;
  OH: number;
  OW: number;
  ph: number;
  pw: number;
  /** Output positions per image `OH·OW`. */
  P: number;
  /** Windows `N·OH·OW` (columns of dY_row, rows of X_colᵀ). */
  Q: number;
  /** Weights per filter `C·KH·KW` (columns of X_colᵀ and dW_row). */
  R: number;
  /** The pre-activation `Z = conv2d(x, w)`, `[N, F, OH, OW]`. */
  z: Tensor;
  /** `relu(Z)`. */
  a: Tensor;
  /** `reluMask(Z)`: 1 where Z > 0, else 0. */
  mask: Tensor;
  /** The upstream gradient ∂L/∂A (the settings' dy). */
  upstream: Tensor;
  /** `δ_Z = reluBackward(upstream, Z)`. */
  delta: Tensor;
  /** `conv2dBackward(δ_Z, x, w, opts)`: the engine's dx, dw, db. */
  grads: Conv2dGradients;
  maps: MapPlanes[];
  inputs: InputPanel[];
  kernels: KernelPlane[];
  /** db as a 1×F row, from conv2dBackward. */
  db: Grid;
  /** δ_Z read as `[F, N·OH·OW]` (the engine's nchwToRows). */
  dyRow: Grid;
  /** X_colᵀ `[N·OH·OW, C·KH·KW]`: im2col's matrix (traced), one row per window. */
  colsT: Grid;
  /** `colsTPadding[q][r]`: that entry was copied from the zero border. */
  colsTPadding: boolean[][];
  /** The traced GEMM `dY_row × X_colᵀ`. */
  trace: GemmTrace;
  /** dW_row `[F, C·KH·KW]`: the trace's product. */
  dwRow: Grid;
  /** dW planes `[F, C]` of `KH×KW`, the product read as `[F, C, KH, KW]`. */
  dw: KernelPlane[];
  /** `copies[r]`: im2col's copies into row r of X_col (column r of X_colᵀ), in window order. */
  copies: PatchCopy[][];
  /** Labels of windows (rows of X_colᵀ, columns of dY_row): `oh,ow`, or `n:oh,ow` when N > 1. */
  windowLabels: string[];
  /** Labels of weights (columns of X_colᵀ and dW_row): `kh,kw`, or `c:kh,kw` when C > 1. */
  weightLabels: string[];
  /** `f0`, `f1`, … */
  filterLabels: string[];
  /** The shapes of the GEMM, e.g. `dY_row 1×4 × X_colᵀ 4×4 = dW_row 1×4 → dW [1, 1, 2, 2]`. */
  shapes: string;
  /** True when the GEMM's product equals conv2dBackward(δ_Z, x, w).dw entry for entry. */
  matchesEngine: boolean;
  steps: ReluDwStep[];
}

/** A number as narration prints it: formatValue, with a true minus sign. */
export function num(v: number): string {
  return formatValue(v).replace('-', '−');
}

/** A factor in a product: negative values in parentheses, e.g. `(−2)`. */
function factor(v: number): string {
  return v < 0 ? `(${num(v)})` : num(v);
}

/** Label of weight r (column r of X_colᵀ): `kh,kw`, prefixed by `c:` when C > 1. */
export function weightLabel(r: number, C: number, KH: number, KW: number): string {
  const c = Math.floor(r / (KH * KW));
  const kh = Math.floor(r / KW) % KH;
  const kw = r % KW;
  return C > 1 ? `${c}:${kh},${kw}` : `${kh},${kw}`;
}

/** Label of window q (row q of X_colᵀ): `oh,ow`, prefixed by `n:` when N > 1. */
export function windowLabel(q: number, N: number, OH: number, OW: number): string {
  const P = OH * OW;
  const n = Math.floor(q / P);
  const p = q % P;
  const pos = `${Math.floor(p / OW)},${p % OW}`;
  return N > 1 ? `${n}:${pos}` : pos;
}

function who(N: number, F: number, n: number, f: number): string {
  const parts = [N > 1 ? `image ${n}` : '', F > 1 ? `filter ${f}` : ''].filter((s) => s !== '');
  return parts.join(', ');
}

function shorten(terms: string[]): string[] {
  return terms.length > 12 ? [...terms.slice(0, 6), '…', ...terms.slice(-2)] : terms;
}

/**
 * The gating of one cell of δ_Z, e.g. `δ[0,0] = 1.23 · 0 = 0 (Z = −47 ≤ 0, blocked)`, prefixed by
 * image and filter when N or F exceed 1. `index` is the flat NCHW position.
 */
export function deltaEquation(view: ReluDwView, index: number): string {
  const { F, P, OW, N } = view;
  const map = Math.floor(index / P);
  const n = Math.floor(map / F);
  const f = map % F;
  const oh = Math.floor((index % P) / OW);
  const ow = index % OW;
  const z = view.z.data[index];
  const m = view.mask.data[index];
  const g = view.upstream.data[index];
  const d = view.delta.data[index];
  const prefix = who(N, F, n, f);
  const why = m > 0 ? `Z = ${num(z)} > 0, passes` : `Z = ${num(z)} ≤ 0, blocked`;
  return `${prefix ? `${prefix}: ` : ''}δ[${oh},${ow}] = ${factor(g)} · ${num(m)} = ${num(d)} (${why})`;
}

/**
 * The bias gradient of filter f as a sum, e.g. `db[0] = 0 + 3.59 + 4.65 + 0.81 = 9.05`: the δ_Z
 * values of that filter over every image and position (row f of dY_row), and conv2dBackward's db.
 */
export function biasEquation(view: ReluDwView, f: number): string {
  const row = view.dyRow[f];
  const terms = shorten(row.map((v) => factor(v)));
  const many = row.length > 12 ? ` (${row.length} terms)` : '';
  return `db[${f}] = ${terms.join(' + ')}${many} = ${num(view.grads.db.data[f])}`;
}

/**
 * The gradient of one weight as the GEMM sums it, δ first, e.g.
 * `dW[0,0,1,1] = 0·10 + 3.59·1 + 4.65·1 + 0.81·1 = 9.05` (row f of dY_row · column r of X_colᵀ).
 */
export function weightEquation(view: ReluDwView, f: number, r: number): string {
  const cell = view.trace.steps[f * view.R + r];
  const c = Math.floor(r / (view.KH * view.KW));
  const kh = Math.floor(r / view.KW) % view.KH;
  const kw = r % view.KW;
  const terms = shorten(cell.terms.map((t) => `${factor(t.a)}·${factor(t.b)}`));
  const many = cell.terms.length > 12 ? ` (${cell.terms.length} terms)` : '';
  return `dW[${f},${c},${kh},${kw}] = ${terms.join(' + ')}${many} = ${num(cell.sum)}`;
}

function gridText(grid: Grid): string {
  return grid.map((row) => row.map((v) => num(v)).join(' ')).join(' / ');
}

function transpose(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[c * rows + r] = t.data[r * cols + c];
  return { shape: [cols, rows], data };
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) {
    if (Math.abs(a[k] - b[k]) > 1e-5 * Math.max(1, Math.abs(b[k]))) return false;
  }
  return true;
}

/**
 * Builds the figure's view of a valid example: the forward pass (conv2d, relu, reluMask), δ_Z
 * (reluBackward), the engine's gradients (conv2dBackward of δ_Z), im2col's trace (X_colᵀ and which
 * pixel sits under each weight in each window) and the traced GEMM dY_row × X_colᵀ, plus the steps.
 * Throws ConvConfigError when the engine refuses the example or X_colᵀ has more than
 * MAX_DRAWN_ENTRIES entries.
 */
export function buildReluDwView(example: ConvExample): ReluDwView {
  const { x, w, settings, geometry: g } = example;
  const { N, C, H, W, KH, KW, OH, OW, ph, pw } = g;
  const F = w.shape[0];
  const P = OH * OW;
  const Q = N * P;
  const R = C * KH * KW;
  if (Q * R > MAX_DRAWN_ENTRIES) {
    throw new ConvConfigError(
      'size',
      `X_colᵀ would be ${Q} × ${R} = ${Q * R} entries, more than the ${MAX_DRAWN_ENTRIES} this figure draws; use a smaller input, kernel, batch or fewer channels`,
    );
  }
  const opts: ConvOptions = { stride: settings.stride, padding: settings.padding, dilation: settings.dilation };
  const z = conv2d(x, w, null, opts);
  const a = relu(z);
  const mask = reluMask(z);
  const upstream = example.dy;
  const delta = reluBackward(upstream, z);
  // On the reference kernel: the GEMM trace redoes its float64 sums, so the two agree bit for bit.
  const grads = withGemmKernel('js', () => conv2dBackward(delta, x, w, opts));

  const patches = tracePatchExtraction(x, [KH, KW], opts);
  const colsT = transpose(patches.cols);
  const dyRowT: Tensor = { shape: [F, Q], data: nchwToRows(delta.data, N, F, P) };
  const trace = traceGemm(dyRowT, colsT);
  const copies: PatchCopy[][] = Array.from({ length: R }, () => []);
  for (const copy of patches.copies) copies[copy.row].push(copy);
  const colsTPadding = Array.from({ length: Q }, () => new Array<boolean>(R).fill(false));
  for (const copy of patches.copies) colsTPadding[copy.column][copy.row] = copy.padding;

  const maps: MapPlanes[] = [];
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      maps.push({
        map: n * F + f, n, f, label: who(N, F, n, f),
        z: planeOf(z, n, f), a: planeOf(a, n, f), mask: planeOf(mask, n, f), upstream: planeOf(upstream, n, f), delta: planeOf(delta, n, f),
      });
    }
  }
  const padded = padTensor(x, [ph, ph], [pw, pw]);
  const inputs: InputPanel[] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const values = planeOf(padded, n, c);
      const padding = values.map((row, y) => row.map((_, xx) => y < ph || y >= ph + H || xx < pw || xx >= pw + W));
      inputs.push({ n, c, label: `x[${n}, ${c}]${ph > 0 || pw > 0 ? ' padded' : ''}`, values, padding });
    }
  }
  const product: Tensor = { shape: [F, C, KH, KW], data: trace.product.data };
  const kernels: KernelPlane[] = [];
  const dw: KernelPlane[] = [];
  for (let f = 0; f < F; f++) {
    for (let c = 0; c < C; c++) {
      kernels.push({ f, c, label: `w[${f}, ${c}]`, grid: planeOf(w, f, c) });
      dw.push({ f, c, label: `dW[${f}, ${c}]`, grid: planeOf(product, f, c) });
    }
  }

  const view: ReluDwView = {
    example, N, C, H, W, F, KH, KW, OH, OW, ph, pw, P, Q, R,
    z, a, mask, upstream, delta, grads, maps, inputs, kernels,
    db: [Array.from(grads.db.data)],
    dyRow: planeOf(dyRowT),
    colsT: planeOf(colsT),
    colsTPadding,
    trace,
    dwRow: planeOf(trace.product),
    dw,
    copies,
    windowLabels: Array.from({ length: Q }, (_, q) => windowLabel(q, N, OH, OW)),
    weightLabels: Array.from({ length: R }, (_, r) => weightLabel(r, C, KH, KW)),
    filterLabels: Array.from({ length: F }, (_, f) => `f${f}`),
    shapes: `dY_row ${F}×${Q} × X_colᵀ ${Q}×${R} = dW_row ${F}×${R} → dW [${F}, ${C}, ${KH}, ${KW}]`,
    matchesEngine: sameValues(trace.product.data, grads.dw.data),
    steps: [],
  };

  const passing = Array.from(mask.data).filter((m) => m > 0).length;
  const steps: ReluDwStep[] = [{
    kind: 'forward', stage: 'relu', code: 'relu', marks: [],
    narration:
      `Forward: Z = conv2d(x, w) is [${N}, ${F}, ${OH}, ${OW}]; A = ReLU(Z) keeps the positive entries. ` +
      `The mask is 1 where Z > 0: ${passing} of ${mask.data.length} entries let the gradient through.`,
  }];
  for (let index = 0; index < delta.data.length; index++) {
    const map = Math.floor(index / P);
    steps.push({
      kind: 'delta', stage: 'relu', code: 'relu', marks: ['mask'],
      index, map, n: Math.floor(map / F), f: map % F, oh: Math.floor((index % P) / OW), ow: index % OW,
      narration: deltaEquation(view, index),
    });
  }
  for (let f = 0; f < F; f++) {
    steps.push({
      kind: 'bias', stage: 'bias', code: 'backward', marks: ['dbSum', 'db'], f,
      narration: `${biasEquation(view, f)} — the bias of filter ${f} touches every output of its map, so its gradient is the sum of δ_Z over ${N > 1 ? `${N} images × ` : ''}${P} positions`,
    });
  }
  steps.push({
    kind: 'operands', stage: 'weight', code: 'backward', marks: ['dyRows', 'im2col'],
    narration:
      `dY_row is δ_Z read as ${F}×${Q} (one row per filter, one column per window); X_colᵀ = im2col(x)ᵀ is ${Q}×${R} ` +
      `(one row per window, one column per weight). dW = dY_row × X_colᵀ: ${F * R} dot products of length ${Q}.`,
  });
  for (const cell of trace.steps) {
    const f = cell.row;
    const r = cell.column;
    steps.push({
      kind: 'weight', stage: 'weight', code: 'backward', marks: ['dw'],
      f, r, c: Math.floor(r / (KH * KW)), kh: Math.floor(r / KW) % KH, kw: r % KW, cell,
      narration: `${weightEquation(view, f, r)} — row ${f} of dY_row · column ${r} of X_colᵀ (the pixel under weight ${view.weightLabels[r]} in every window)`,
    });
  }
  const dwText = dw.map((p) => `${F * C > 1 ? `${p.label}: ` : ''}${gridText(p.grid)}`).join('; ');
  steps.push({
    kind: 'done', stage: 'weight', code: 'backward', marks: ['result'],
    narration: view.matchesEngine
      ? `dW_row (${F}×${R}) read as [${F}, ${C}, ${KH}, ${KW}] is dW = ${dwText} — equal, entry for entry, to the engine's conv2dBackward(δ_Z, x, w).dw`
      : `dW_row read as [${F}, ${C}, ${KH}, ${KW}] differs from conv2dBackward(δ_Z, x, w).dw — this is a bug in the engine`,
  });
  view.steps = steps;
  return view;
}

/** Builds the view of settings (throws ConvConfigError when the engine or the size cap refuses them). */
export function reluDwViewOf(settings: ConvSettings): ReluDwView {
  return buildReluDwView(buildExample(settings));
}

/**
 * Guards a settings change: when `next` is valid for the engine but the figure cannot draw it,
 * keeps `prev`'s example and carries the message; otherwise returns `next` unchanged.
 */
export function guardDrawable(prev: ExampleState, next: ExampleState): ExampleState {
  return keepDrawable(prev, next, buildReluDwView);
}

/** Flat NCHW index into x of a padded input panel's cell, or null for a padding cell. */
export function inputIndex(view: ReluDwView, panel: number, r: number, c: number): number | null {
  const p = view.inputs[panel];
  if (!p || p.padding[r]?.[c] !== false) return null;
  return ((p.n * view.C + p.c) * view.H + (r - view.ph)) * view.W + (c - view.pw);
}

/** Flat [F, C, KH, KW] index into w of cell (r, c) of kernel plane `plane`. */
export function kernelIndex(view: ReluDwView, plane: number, r: number, c: number): number {
  return plane * view.KH * view.KW + r * view.KW + c;
}

/** Flat [N, F, OH, OW] index into the upstream gradient of cell (r, c) of output plane `map`. */
export function upstreamIndex(view: ReluDwView, map: number, r: number, c: number): number {
  return map * view.P + r * view.OW + c;
}

/** A cell the reader points at (hover/focus): an output-plane cell, or a weight of dW. */
export type ReluDwFocus = { kind: 'map'; map: number; oh: number; ow: number } | { kind: 'weight'; f: number; r: number };

/** What one step looks like: marks and blank cells per grid, the code to show, the terms listed. */
export interface ReluDwFrame {
  step: ReluDwStep;
  index: number;
  stage: ReluDwStage;
  /** The weight whose terms are listed: the one pointed at, else the step's (null outside stage 3). */
  weight: WeightStep | null;
  /** Marks of the output-plane grids (Z, A, mask, upstream, δ_Z) of plane `map`. */
  mapMark: (map: number) => (r: number, c: number) => ReluDwMark | undefined;
  /** True for δ_Z cells not computed yet. */
  deltaBlank: (map: number) => (r: number, c: number) => boolean;
  inputMark: (panel: number) => (r: number, c: number) => ReluDwMark | undefined;
  kernelMark: (plane: number) => (r: number, c: number) => ReluDwMark | undefined;
  dbMark: (r: number, c: number) => ReluDwMark | undefined;
  dbBlank: (r: number, c: number) => boolean;
  dyRowMark: (r: number, c: number) => ReluDwMark | undefined;
  colsTMark: (r: number, c: number) => ReluDwMark | undefined;
  dwRowMark: (r: number, c: number) => ReluDwMark | undefined;
  dwRowBlank: (r: number, c: number) => boolean;
  dwMark: (plane: number) => (r: number, c: number) => ReluDwMark | undefined;
  dwBlank: (plane: number) => (r: number, c: number) => boolean;
}

/** Clamps a step index into the view's steps. */
export function clampReluDwStep(view: ReluDwView, index: number): number {
  if (!Number.isFinite(index)) return 0;
  return Math.min(view.steps.length - 1, Math.max(0, Math.trunc(index)));
}

/** The first step of each stage, for jump buttons: ReLU mask, bias gradient, weight gradient. */
export function stageStarts(view: ReluDwView): Record<ReluDwStage, number> {
  return {
    relu: 0,
    bias: view.steps.findIndex((s) => s.stage === 'bias'),
    weight: view.steps.findIndex((s) => s.stage === 'weight'),
  };
}

function focusedDelta(view: ReluDwView, focus: ReluDwFocus | null | undefined): number | null {
  if (!focus || focus.kind !== 'map') return null;
  if (!view.maps[focus.map] || focus.oh < 0 || focus.oh >= view.OH || focus.ow < 0 || focus.ow >= view.OW) return null;
  return focus.map * view.P + focus.oh * view.OW + focus.ow;
}

function focusedWeight(view: ReluDwView, focus: ReluDwFocus | null | undefined): { f: number; r: number } | null {
  if (!focus || focus.kind !== 'weight') return null;
  return focus.f >= 0 && focus.f < view.F && focus.r >= 0 && focus.r < view.R ? { f: focus.f, r: focus.r } : null;
}

/**
 * The frame of step `index` (clamped). With a `focus`, the marks trace the pointed cell instead
 * (an output cell: its window in x, its kernel and its Z/A/mask/upstream/δ cells; a weight: its
 * column of X_colᵀ, the pixels under it, its row of dY_row and its terms); what is filled in stays
 * the step's.
 */
export function reluDwFrame(view: ReluDwView, index: number, focus?: ReluDwFocus | null): ReluDwFrame {
  const k = clampReluDwStep(view, index);
  const step = view.steps[k];
  const { F, P, Q, R, OW, KH, KW } = view;
  const cells = view.delta.data.length;
  const deltaFilled = step.kind === 'forward' ? -1 : step.kind === 'delta' ? step.index : cells;
  const dbFilled = step.stage === 'relu' ? -1 : step.kind === 'bias' ? step.f : F;
  const dwFilled = step.kind === 'weight' ? step.cell.index : step.kind === 'done' ? F * R : -1;

  const fd = focusedDelta(view, focus);
  const fw = focusedWeight(view, focus);
  const pointed = fd !== null || fw !== null;
  const tracedDelta = fd ?? (!pointed && step.kind === 'delta' ? step.index : null);
  const tracedWeight = fw ?? (!pointed && step.kind === 'weight' ? { f: step.f, r: step.r } : null);
  const biasF = !pointed && step.kind === 'bias' ? step.f : null;
  // The terms listed: the pointed weight's, else the step's (pointing at an output cell keeps them).
  const listed = fw ?? (step.kind === 'weight' ? { f: step.f, r: step.r } : null);
  const weight = listed ? (view.steps.find((s) => s.kind === 'weight' && s.f === listed.f && s.r === listed.r) as WeightStep) : null;

  // The traced output cell: its plane, position and window column q.
  const dMap = tracedDelta !== null ? Math.floor(tracedDelta / P) : -1;
  const dPos = tracedDelta !== null ? tracedDelta % P : -1;
  const dN = dMap >= 0 ? Math.floor(dMap / F) : -1;
  const dF = dMap >= 0 ? dMap % F : -1;
  const dQ = dMap >= 0 ? dN * P + dPos : -1;

  // Input pixels to outline, per panel: "y,x" keys.
  const pixels = new Map<number, Set<string>>();
  const add = (n: number, c: number, y: number, x: number) => {
    const panel = n * view.C + c;
    if (!pixels.has(panel)) pixels.set(panel, new Set());
    pixels.get(panel)!.add(`${y},${x}`);
  };
  if (tracedWeight) for (const copy of view.copies[tracedWeight.r]) add(copy.n, copy.c, copy.y, copy.x);
  else if (dQ >= 0) for (let r = 0; r < R; r++) { const copy = view.copies[r][dQ]; add(copy.n, copy.c, copy.y, copy.x); }

  const wF = tracedWeight?.f ?? -1;
  const wR = tracedWeight?.r ?? -1;
  const wC = wR >= 0 ? Math.floor(wR / (KH * KW)) : -1;
  const wKh = wR >= 0 ? Math.floor(wR / KW) % KH : -1;
  const wKw = wR >= 0 ? wR % KW : -1;

  return {
    step,
    index: k,
    stage: step.stage,
    weight,
    mapMark: (map) => (r, c) => {
      if (tracedDelta !== null && map === dMap && r * OW + c === dPos) return 'active';
      const f = view.maps[map]?.f;
      if (biasF !== null && f === biasF) return 'source';
      if (tracedWeight && f === wF) return 'source';
      return undefined;
    },
    deltaBlank: (map) => (r, c) => map * P + r * OW + c > deltaFilled,
    inputMark: (panel) => (r, c) => (pixels.get(panel)?.has(`${r},${c}`) ? 'source' : undefined),
    kernelMark: (plane) => (r, c) => {
      const f = Math.floor(plane / view.C);
      const ch = plane % view.C;
      if (tracedWeight) return f === wF && ch === wC && r === wKh && c === wKw ? 'active' : undefined;
      if (dF >= 0) return f === dF ? 'source' : undefined;
      return undefined;
    },
    dbMark: (_r, c) => (biasF !== null && c === biasF ? 'active' : undefined),
    dbBlank: (_r, c) => c > dbFilled,
    dyRowMark: (r) => (tracedWeight && r === wF ? 'source' : biasF !== null && r === biasF ? 'source' : undefined),
    colsTMark: (q, c) => {
      if (tracedWeight && c === wR) return 'source';
      if (dQ >= 0 && q === dQ) return 'source';
      return undefined;
    },
    dwRowMark: (r, c) => (tracedWeight && r === wF && c === wR ? 'active' : undefined),
    dwRowBlank: (r, c) => r * R + c > dwFilled,
    dwMark: (plane) => (r, c) => {
      const f = Math.floor(plane / view.C);
      const ch = plane % view.C;
      return tracedWeight && f === wF && ch === wC && r === wKh && c === wKw ? 'target' : undefined;
    },
    dwBlank: (plane) => (r, c) => {
      const f = Math.floor(plane / view.C);
      const ch = plane % view.C;
      return f * R + (ch * KH + r) * KW + c > dwFilled;
    },
  };
}

/**
 * Reads the figure's settings from a URL query (`rd.` keys), like settingsFromQuery with the
 * figure's defaults, except that the defaults' own values (the seed's x, w and upstream gradient)
 * never cause a notice: when the link changes the sizes so that they no longer fit, the counting
 * values take their place silently. Values given in the link are checked as usual; unreadable ones
 * give way to the defaults' values. Never throws.
 */
export function reluDwSettingsFromQuery(query: URLSearchParams): { settings: ConvSettings; notices: string[] } {
  const base: ConvSettings = { ...RELU_DW_DEFAULTS, x: null, w: null, dy: null };
  const read = settingsFromQuery(query, base, RELU_DW_PREFIX);
  if (read.settings === base) return { settings: RELU_DW_DEFAULTS, notices: read.notices };
  const settings: ConvSettings = { ...read.settings };
  // A list that is null here was not in the link, or was ignored: the defaults' own values return.
  for (const key of ['x', 'w', 'dy'] as const) {
    if (settings[key] == null) settings[key] = RELU_DW_DEFAULTS[key] ?? null;
  }
  return { settings, notices: read.notices };
}

/** The step shown from a URL query (`rd.step`, 1-based); garbage gives step 1 and a notice. */
export function stepFromQuery(query: URLSearchParams, total: number): { index: number; notice: string | null } {
  const notices: string[] = [];
  const index = readStepParam(query, RELU_DW_PREFIX + 'step', total, notices);
  return { index, notice: notices[0] ?? null };
}

function sameList(a: readonly number[] | null | undefined, b: readonly number[] | null | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((v, k) => v === b[k]);
}

/**
 * Writes the figure's state into `query` (only `rd.` keys change): the settings that differ from
 * the defaults, the values that differ from the defaults' values, and the step (1-based, left out
 * at step 1). Returns the same URLSearchParams.
 */
export function reluDwToQuery(settings: ConvSettings, index: number, query: URLSearchParams): URLSearchParams {
  settingsToQuery(settings, RELU_DW_DEFAULTS, query, RELU_DW_PREFIX);
  for (const [param, key] of [['x', 'x'], ['k', 'w'], ['g', 'dy']] as const) {
    if (sameList(settings[key], RELU_DW_DEFAULTS[key])) query.delete(RELU_DW_PREFIX + param);
  }
  return writeStepParam(query, RELU_DW_PREFIX + 'step', index);
}

function texNumber(v: number): string {
  return formatValue(v);
}

/** A grid as a KaTeX bmatrix; matrixTeX of tex.ts. */
export { matrixTex };

/**
 * The forward chain of plane (0, 0) as TeX, for the lesson's build-time math:
 * `X ⊛ K = Z →ReLU A →mask M`, every matrix from the engine.
 */
export function forwardChainTex(view: ReluDwView): string {
  const m = view.maps[0];
  return `${matrixTex(view.inputs[0].values)} \\circledast ${matrixTex(view.kernels[0].grid)} = ${matrixTex(m.z)}` +
    ` \\xrightarrow{\\text{ReLU}} ${matrixTex(m.a)} \\xrightarrow{\\text{mask}} ${matrixTex(m.mask)}`;
}

/** The gating of plane (0, 0) as TeX: `upstream ⊙ mask = δ_Z`, every matrix from the engine. */
export function deltaChainTex(view: ReluDwView): string {
  const m = view.maps[0];
  return `\\frac{\\partial L}{\\partial A} \\odot \\text{mask} = ${matrixTex(m.upstream)} \\odot ${matrixTex(m.mask)} = ${matrixTex(m.delta)} = \\delta_Z`;
}

/** The weight gradient of plane (0, 0) and the bias gradient as TeX, from the GEMM and conv2dBackward. */
export function gradientsTex(view: ReluDwView): string {
  return `\\frac{\\partial L}{\\partial W} = ${matrixTex(view.dw[0].grid)}, \\qquad \\frac{\\partial L}{\\partial b} = ${texNumber(view.grads.db.data[0])}`;
}
