/**
 * View-model of the ReLU-mask-and-dW figure (lesson 6): the backward pass of conv + ReLU, replayed
 * from the reference loops (lib/reference) and checked against the engine.
 *
 * 1. ReLU: `Z = conv2d(x, w)`, `A = relu(Z)`, `mask = reluMask(Z)` (the forward pass, from the
 *    engine); reluBackwardLoops gates the upstream gradient cell by cell into δ_Z.
 * 2. Bias: convParamGradientLoops reads δ_Z as dY_row `[F, N·OH·OW]` and sums each row into db.
 * 3. Weights: the same loops compute `dW = dY_row × X_colᵀ` (`[F, C·KH·KW]`, X_col from
 *    im2colLoops), one term at a time; the last step compares δ_Z, db and dW with the engine's
 *    reluBackward and conv2dBackward.
 *
 * Pure: no DOM, no Svelte.
 */
import type { Tensor } from '../../tensor.ts';
import { conv2d } from '../../ops/conv2d.ts';
import type { Conv2dGradients } from '../../ops/conv2d-backward.ts';
import { conv2dBackward } from '../../ops/conv2d-backward.ts';
import { withGemmKernel } from '../../gemm.ts';
import { relu, reluBackward, reluMask } from '../../ops/relu.ts';
import { padTensor } from '../../ops/dilated.ts';
import type { ConvExample } from '../conv-settings.ts';
import { checkDrawBudget } from '../figure/budget.ts';
import type { Plane } from '../figure/plane.ts';
import { planesOf } from '../figure/plane.ts';
import type { Grid } from '../grid.ts';
import { planeOf } from '../grid.ts';
import { formatValue } from '../format.ts';
import type { ReluDwReplay } from './replay.ts';
import { replayReluDw } from './replay.ts';
import { weightLabel, whoText, windowLabel } from './labels.ts';
import type { ReluDwStep } from './steps.ts';
import { reluDwSteps } from './steps.ts';

/** One output plane (image n, filter f) through the ReLU stage: Z, A, mask, upstream (editable), δ_Z. */
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
  /** ∂L/∂A of the plane, with its place in the `dy` value list. */
  upstream: Plane;
  /** δ_Z from reluBackwardLoops. */
  delta: Grid;
}

/** A padded input plane (image n, channel c): the values drawn, the padding, and the unpadded plane for edits. */
export interface InputPanel {
  label: string;
  /** The padded plane (zeros in the border). */
  values: Grid;
  /** `padding[y][x]`: that cell is the zero border. */
  padding: boolean[][];
  /** The unpadded plane of x, for planeIndex. */
  plane: Plane;
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
  /** The pre-activation `Z = conv2d(x, w)`, `relu(Z)` and `reluMask(Z)`, `[N, F, OH, OW]`. */
  z: Tensor;
  a: Tensor;
  mask: Tensor;
  /** The upstream gradient ∂L/∂A (the settings' dy). */
  upstream: Tensor;
  /** What the reference loops did. */
  replay: ReluDwReplay;
  maps: MapPlanes[];
  inputs: InputPanel[];
  kernels: Plane[];
  /** db as a 1×F row, from convParamGradientLoops. */
  db: Grid;
  /** dY_row `[F, N·OH·OW]`. */
  dyRow: Grid;
  /** X_colᵀ `[N·OH·OW, C·KH·KW]`: one row per window. */
  colsT: Grid;
  /** `colsTPadding[q][r]`: that entry was copied from the zero border. */
  colsTPadding: boolean[][];
  /** dW_row `[F, C·KH·KW]`. */
  dwRow: Grid;
  /** dW planes `[F, C]` of `KH×KW`: dW_row read as `[F, C, KH, KW]`. */
  dw: Plane[];
  /** Labels of windows (rows of X_colᵀ, columns of dY_row): `oh,ow`, or `n:oh,ow` when N > 1. */
  windowLabels: string[];
  /** Labels of weights (columns of X_colᵀ and dW_row): `kh,kw`, or `c:kh,kw` when C > 1. */
  weightLabels: string[];
  /** `f0`, `f1`, … */
  filterLabels: string[];
  /** The shapes of the GEMM, e.g. `dY_row 1×4 × X_colᵀ 4×4 = dW_row 1×4 → dW [1, 1, 2, 2]`. */
  shapes: string;
  /** The engine's answers: reluBackward(∂L/∂A, Z) and conv2dBackward(δ_Z, x, w) on the JS kernel. */
  engine: { delta: Tensor; grads: Conv2dGradients };
  /** True when the loops' δ_Z, db and dW equal the engine's bit for bit. */
  matchesEngine: boolean;
  /** Draw the output-plane grids compact (every value fits in three characters). */
  compactMaps: boolean;
  /** Draw the input panels compact (wide or many). */
  compactInput: boolean;
  steps: ReluDwStep[];
}

/**
 * Cells the figure draws: the padded inputs, the kernels, five grids per output plane, db, dY_row,
 * X_colᵀ, dW_row and the dW planes.
 */
export function reluDwCells(N: number, C: number, Hp: number, Wp: number, F: number, KH: number, KW: number, P: number): number {
  const Q = N * P;
  const R = C * KH * KW;
  return N * C * Hp * Wp + F * C * KH * KW + 5 * N * F * P + F + F * Q + Q * R + 2 * F * R;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, k) => Object.is(v, b[k]));
}

function transposeGrid(grid: Grid): Grid {
  return (grid[0] ?? []).map((_, c) => grid.map((row) => row[c]));
}

/**
 * Builds the figure's view of a valid example. Throws ConvConfigError when the engine refuses it
 * or the picture would exceed DRAW_BUDGET (checkDrawBudget names X_colᵀ and the planes).
 */
export function buildReluDwView(example: ConvExample): ReluDwView {
  const { x, w, settings, geometry: g } = example;
  const { N, C, H, W, KH, KW, OH, OW, ph, pw } = g;
  const F = w.shape[0];
  const P = OH * OW;
  const Q = N * P;
  const R = C * KH * KW;
  checkDrawBudget(
    reluDwCells(N, C, H + 2 * ph, W + 2 * pw, F, KH, KW, P),
    `X_colᵀ ${Q} × ${R} and ${N * F} output plane${N * F > 1 ? 's' : ''} of ${OH} × ${OW}, each drawn five times`,
  );
  const opts = { stride: settings.stride, padding: settings.padding, dilation: settings.dilation };
  const z = conv2d(x, w, null, opts);
  const a = relu(z);
  const mask = reluMask(z);
  const upstream = example.dy;
  const replay = replayReluDw(x, z, upstream, [KH, KW], opts);
  // The engine, on the reference (JS) kernel: its float64 sums in the loops' order, so the two agree bit for bit.
  const delta = reluBackward(upstream, z);
  const grads = withGemmKernel('js', () => conv2dBackward(delta, x, w, opts));

  const zPlanes = planesOf(z, () => '');
  const upstreamPlanes = planesOf(upstream, (n, f) => `∂L/∂A[${n}, ${f}]`);
  const maps: MapPlanes[] = zPlanes.map((p, map) => ({
    map,
    n: p.a,
    f: p.b,
    label: whoText(N, F, p.a, p.b),
    z: p.grid,
    a: planeOf(a, p.a, p.b),
    mask: planeOf(mask, p.a, p.b),
    upstream: upstreamPlanes[map],
    delta: planeOf(replay.dZ, p.a, p.b),
  }));
  const padded = padTensor(x, [ph, ph], [pw, pw]);
  const inputs: InputPanel[] = planesOf(x, (n, c) => `x[${n}, ${c}]`).map((plane) => {
    const values = planeOf(padded, plane.a, plane.b);
    const padding = values.map((row, y) => row.map((_, xx) => y < ph || y >= ph + H || xx < pw || xx >= pw + W));
    return { label: `${plane.label}${ph > 0 || pw > 0 ? ' padded' : ''}`, values, padding, plane };
  });
  const dwTensor: Tensor = { shape: [F, C, KH, KW], data: replay.dW.data };
  const colsT = transposeGrid(planeOf(replay.cols));
  const colsTPadding = colsT.map((row, q) => row.map((_, r) => replay.copies[r][q].padding));
  const fits = (grid: Grid) => grid.every((row) => row.every((v) => formatValue(v).length <= 3));

  const view: ReluDwView = {
    example,
    N,
    C,
    H,
    W,
    F,
    KH,
    KW,
    OH,
    OW,
    ph,
    pw,
    P,
    Q,
    R,
    z,
    a,
    mask,
    upstream,
    replay,
    maps,
    inputs,
    kernels: planesOf(w, (f, c) => `w[${f}, ${c}]`),
    db: [Array.from(replay.db.data)],
    dyRow: planeOf(replay.dyRow),
    colsT,
    colsTPadding,
    dwRow: planeOf(replay.dW),
    dw: planesOf(dwTensor, (f, c) => `dW[${f}, ${c}]`),
    windowLabels: Array.from({ length: Q }, (_, q) => windowLabel(q, N, OH, OW)),
    weightLabels: Array.from({ length: R }, (_, r) => weightLabel(r, C, KH, KW)),
    filterLabels: Array.from({ length: F }, (_, f) => `f${f}`),
    shapes: `dY_row ${F}×${Q} × X_colᵀ ${Q}×${R} = dW_row ${F}×${R} → dW [${F}, ${C}, ${KH}, ${KW}]`,
    engine: { delta, grads },
    matchesEngine:
      sameBits(replay.dZ.data, delta.data) && sameBits(replay.db.data, grads.db.data) && sameBits(replay.dW.data, grads.dw.data),
    compactMaps: maps.every((m) => fits(m.z) && fits(m.upstream.grid) && fits(m.delta)),
    compactInput: inputs[0].values[0].length > 6 || inputs.length > 2,
    steps: [],
  };
  view.steps = reluDwSteps(view);
  return view;
}
