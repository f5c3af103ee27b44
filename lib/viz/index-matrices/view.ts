/**
 * View-model of the "Index matrices" visual (lesson 3): the numpy-style index matrices i, j, d of
 * im2col drawn next to the padded input and the matrix they gather. Every number comes from the
 * engine (im2colIndices, gatherWithIndices, im2col, padTensor) and the steps replay the reference
 * loops gatherLoops (lib/reference) that the code panel shows; this module only arranges them into
 * grids, works out which cells a pointed-at or stepped entry links together, and words the
 * narration. Pure: no DOM, no Svelte.
 */
import type { ConvGeometry } from '../../geometry.ts';
import type { Tensor } from '../../tensor.ts';
import type { IndexMatrices } from '../../im2col/indices.ts';
import { im2colIndices, gatherWithIndices } from '../../im2col/indices.ts';
import { im2col } from '../../im2col/im2col.ts';
import { padTensor } from '../../ops/dilated.ts';
import { gatherLoops } from '../../reference/gather-loops.ts';
import type { ConvExample, ConvSettings, NumericKey } from '../conv-settings.ts';
import { checkDrawBudget } from '../figure/budget.ts';
import type { CellMark } from '../figure/mark.ts';
import type { FigureStep } from '../figure/spec.ts';
import { formatValue } from '../format.ts';
import { planeOf } from '../grid.ts';
import type { Grid } from '../grid.ts';

/** The URL query prefix of this visual's state (`ix.h=5`, `ix.step=12`, …). */
export const INDEX_QUERY_PREFIX = 'ix.';

/**
 * The blog post's worked example: a (1, 3, 4, 4) input (values 1…48) and a 2×2 kernel, stride 1,
 * no padding — 3 channels × 4 taps = 12 rows, 3×3 windows = 9 columns.
 */
export const INDEX_DEFAULTS: ConvSettings = {
  N: 1,
  C: 3,
  H: 4,
  W: 4,
  F: 1,
  KH: 2,
  KW: 2,
  stride: 1,
  padding: 0,
  dilation: 1,
  x: null,
  w: null,
};

/** The settings this visual lets the reader edit (filters play no part in the index matrices). */
export const INDEX_FIELDS: NumericKey[] = ['H', 'W', 'KH', 'KW', 'stride', 'padding', 'dilation', 'C', 'N'];

/** The marks MatrixGrid draws (the shared CellMark). */
export type IndexCellMark = CellMark;

/**
 * One step: a row of X_col starts (`row`: the channel d[r] is read) or one entry is gathered
 * (`gather`), with the probe it links and gatherLoops' cursor.
 */
export interface IndexStep extends FigureStep {
  kind: 'row' | 'gather';
  probe: Probe;
}

/** One channel plane of one image, padded with the zero border the index matrices address. */
export interface InputPlane {
  n: number;
  c: number;
  /** Caption and accessible name, e.g. `x[0, 1]` or `x_padded[0, 1]`. */
  label: string;
  /** `HP×WP` values of the padded plane (padTensor). */
  values: Grid;
}

/** Everything the figure draws for one valid example. */
export interface IndexView {
  geometry: ConvGeometry;
  /** The engine's index matrices for one image. */
  indices: IndexMatrices;
  /** Rows of i, j, X_col: `C·KH·KW`. */
  rows: number;
  /** Columns of i and j (one image): `OH·OW`. */
  columns: number;
  /** Columns of X_col (all images side by side): `N·OH·OW`. */
  width: number;
  /** i and j as `rows × columns` grids, d as a `rows × 1` grid. */
  i: Grid;
  j: Grid;
  d: Grid;
  /** X_col from gatherWithIndices, `rows × width`. */
  cols: Grid;
  /** The padded input, one plane per (image, channel), images first; `padded` when there is a border. */
  planes: InputPlane[];
  padded: boolean;
  /** Whether gatherWithIndices produced im2col's matrix exactly, and a sentence saying so. */
  agrees: boolean;
  agreement: string;
  /** The shapes in one line, e.g. `x [1, 3, 4, 4] · 3 × 3 windows · i, j: 12 × 9 · d: 12 × 1 · X_col: 12 × 9`. */
  summary: string;
  /** What a cell of X_col holds, e.g. `X_col[r][p] = x[0, d[r], i[r][p], j[r][p]]` (with `q = n·9 + p` for a batch). */
  formula: string;
  /** Row headers `0…rows−1`, column headers of i/j `0…columns−1` and of X_col `0…width−1`. */
  rowHeaders: string[];
  columnHeaders: string[];
  colsHeaders: string[];
  /** The unpadded input (for the narration's `x[…]` values). */
  x: Tensor;
  /** The steps: gatherLoops' statements, row by row. */
  steps: IndexStep[];
}

function rowsOf(a: Int32Array, width: number): Grid {
  return Array.from({ length: a.length / width }, (_, r) => Array.from(a.subarray(r * width, (r + 1) * width)));
}

function range(count: number): string[] {
  return Array.from({ length: count }, (_, k) => String(k));
}

/**
 * Builds the figure's data for a valid example: the engine's index matrices, X_col gathered with
 * them, im2col's matrix for comparison, and the padded input planes.
 */
export function buildIndexView(example: ConvExample): IndexView {
  const { x, geometry } = example;
  const { N, C, KH, KW, OH, OW, ph, pw, sh, sw, dh, dw, HP, WP } = geometry;
  const opts = { stride: [sh, sw] as const, padding: [ph, pw] as const, dilation: [dh, dw] as const };
  // Drawn: X_col [R, N·P], i and j [R, P], d [R, 1] and the padded input planes (R = C·KH·KW, P = OH·OW).
  const R = C * KH * KW;
  const P = OH * OW;
  checkDrawBudget(R * N * P + 2 * R * P + R + N * C * HP * WP, `X_col ${R} × ${N * P}, i and j ${R} × ${P}, d and the input`);
  const indices = im2colIndices(x.shape, [KH, KW], opts);
  const gathered = gatherWithIndices(x, indices, [ph, pw]);
  const reference = im2col(x, [KH, KW], opts);
  let differing = 0;
  for (let k = 0; k < gathered.data.length; k++) if (!Object.is(gathered.data[k], reference.data[k])) differing++;
  const agrees = differing === 0 && gathered.data.length === reference.data.length;
  const [rows, width] = gathered.shape;
  const columns = indices.columns;
  const padded = ph > 0 || pw > 0;
  const xPadded = padTensor(x, [ph, ph], [pw, pw]);
  const planes: InputPlane[] = [];
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      planes.push({ n, c, label: `${padded ? 'x_padded' : 'x'}[${n}, ${c}]`, values: planeOf(xPadded, n, c) });
    }
  }
  const entries = rows * width;
  const agreement = agrees
    ? `gatherWithIndices(x, {i, j, d}, [${ph}, ${pw}]) equals im2col(x): all ${entries} entries of the ${rows} × ${width} matrix match.`
    : `gatherWithIndices and im2col differ in ${differing} of ${entries} entries.`;
  const summary = [
    `x [${x.shape.join(', ')}]${padded ? ` padded to ${HP} × ${WP}` : ''}`,
    `${OH} × ${OW} windows`,
    `i, j: ${rows} × ${columns}`,
    `d: ${rows} × 1`,
    `X_col: ${rows} × ${width}`,
  ].join(' · ');
  const source = padded ? 'x_padded' : 'x';
  const formula =
    N === 1
      ? `X_col[r][p] = ${source}[0, d[r], i[r][p], j[r][p]]`
      : `X_col[r][q] = ${source}[n, d[r], i[r][p], j[r][p]] with q = n·${columns} + p`;
  const view: IndexView = {
    geometry,
    indices,
    rows,
    columns,
    width,
    i: rowsOf(indices.i, columns),
    j: rowsOf(indices.j, columns),
    d: Array.from(indices.d, (c) => [c]),
    cols: planeOf(gathered),
    planes,
    padded,
    agrees,
    agreement,
    summary,
    formula,
    rowHeaders: range(rows),
    columnHeaders: range(columns),
    colsHeaders: range(width),
    x,
    steps: [],
  };
  const steps: IndexStep[] = [];
  gatherLoops(x, indices, [ph, pw], (cursor, e) => {
    const probe: Probe = e.kind === 'row' ? { kind: 'channel', r: e.r } : { kind: 'cell', r: e.r, q: e.q };
    steps.push({ kind: e.kind, probe, cursor, narration: linkOf(view, probe).narration });
  });
  view.steps = steps;
  return view;
}

/**
 * What the reader points at (hover, focus) or what the current step is:
 * - `entry`: cell (r, p) of i or j (`from` says which), for every image;
 * - `cell`: cell (r, q) of X_col;
 * - `channel`: entry r of d;
 * - `pixel`: pixel (y, x) of the padded plane of image n, channel c.
 */
export type Probe =
  | { kind: 'entry'; from: 'i' | 'j'; r: number; p: number }
  | { kind: 'cell'; r: number; q: number }
  | { kind: 'channel'; r: number }
  | { kind: 'pixel'; n: number; c: number; y: number; x: number };

/**
 * The cells a probe links, by grid: input pixels (`"n,c,y,x"`, padded coordinates) marked source,
 * X_col cells (`"r,q"`) marked target, i/j cells (`"r,p"`) and d rows marked active; the code lines
 * to highlight; and the narration, e.g.
 * `i[5][3] = 1, j[5][3] = 1, d[5] = 1 → x[0, 1, 1, 1] = 22 fills X_col[5][3]`.
 */
export interface Link {
  pixels: Set<string>;
  targets: Set<string>;
  entries: Set<string>;
  channels: Set<number>;
  narration: string;
}

function inside(view: IndexView, y: number, x: number): boolean {
  const { ph, pw, H, W } = view.geometry;
  return y >= ph && y < ph + H && x >= pw && x < pw + W;
}

/** Names a padded pixel and its value: `x[0, 1, 1, 1] = 22`, `x_padded[0, 1, 2, 2] = x[0, 1, 1, 1] = 22` or `x_padded[0, 0, 0, 0] = 0 (padding)`. */
function describePixel(view: IndexView, n: number, c: number, y: number, x: number): string {
  const { ph, pw } = view.geometry;
  const value = formatValue(view.planes[n * view.geometry.C + c].values[y][x]);
  const original = `x[${n}, ${c}, ${y - ph}, ${x - pw}]`;
  if (ph === 0 && pw === 0) return `${original} = ${value}`;
  const paddedName = `x_padded[${n}, ${c}, ${y}, ${x}]`;
  return inside(view, y, x) ? `${paddedName} = ${original} = ${value}` : `${paddedName} = ${value} (padding)`;
}

function indexAt(view: IndexView, r: number, p: number): { y: number; x: number; c: number } {
  const k = r * view.columns + p;
  return { y: view.indices.i[k], x: view.indices.j[k], c: view.indices.d[r] };
}

function listCells(cells: string[], limit = 8): string {
  if (cells.length <= limit) return cells.join(', ');
  return `${cells.slice(0, limit).join(', ')} and ${cells.length - limit} more`;
}

/** Works out what a probe links and how to say it (see Link). */
export function linkOf(view: IndexView, probe: Probe): Link {
  const link: Link = { pixels: new Set(), targets: new Set(), entries: new Set(), channels: new Set(), narration: '' };
  const { N } = view.geometry;
  if (probe.kind === 'entry' || probe.kind === 'cell') {
    const p = probe.kind === 'cell' ? probe.q % view.columns : probe.p;
    const images = probe.kind === 'cell' ? [Math.floor(probe.q / view.columns)] : Array.from({ length: N }, (_, n) => n);
    const { r } = probe;
    const { y, x, c } = indexAt(view, r, p);
    link.entries.add(`${r},${p}`);
    link.channels.add(r);
    const fills = images.map((n) => {
      const q = n * view.columns + p;
      link.pixels.add(`${n},${c},${y},${x}`);
      link.targets.add(`${r},${q}`);
      return `${describePixel(view, n, c, y, x)} fills X_col[${r}][${q}]`;
    });
    link.narration = `i[${r}][${p}] = ${y}, j[${r}][${p}] = ${x}, d[${r}] = ${c} → ${fills.join('; ')}`;
    return link;
  }
  if (probe.kind === 'channel') {
    const { r } = probe;
    const c = view.indices.d[r];
    link.channels.add(r);
    for (let p = 0; p < view.columns; p++) {
      const { y, x } = indexAt(view, r, p);
      link.entries.add(`${r},${p}`);
      for (let n = 0; n < N; n++) {
        link.pixels.add(`${n},${c},${y},${x}`);
        link.targets.add(`${r},${n * view.columns + p}`);
      }
    }
    link.narration = `d[${r}] = ${c} → all ${view.width} entries of X_col row ${r} are copied from channel ${c}, at the rows i[${r}][·] and columns j[${r}][·] of the padded image`;
    return link;
  }
  const { n, c, y, x } = probe;
  link.pixels.add(`${n},${c},${y},${x}`);
  const cells: string[] = [];
  for (let r = 0; r < view.rows; r++) {
    if (view.indices.d[r] !== c) continue;
    for (let p = 0; p < view.columns; p++) {
      const at = indexAt(view, r, p);
      if (at.y !== y || at.x !== x) continue;
      const q = n * view.columns + p;
      link.entries.add(`${r},${p}`);
      link.channels.add(r);
      link.targets.add(`${r},${q}`);
      cells.push(`X_col[${r}][${q}]`);
    }
  }
  const name = describePixel(view, n, c, y, x);
  link.narration =
    cells.length === 0
      ? `${name} fills no cell of X_col: no window reaches it`
      : `${name} fills ${cells.length} ${cells.length === 1 ? 'cell' : 'cells'} of X_col: ${listCells(cells)}`;
  return link;
}

/** The mark of padded pixel (y, x) of `plane`: source when linked, padding when in the zero border. */
export function pixelMark(view: IndexView, link: Link | null, plane: InputPlane, y: number, x: number): IndexCellMark | undefined {
  if (link?.pixels.has(`${plane.n},${plane.c},${y},${x}`)) return 'source';
  return inside(view, y, x) ? undefined : 'padding';
}

/** The mark of X_col cell (r, q): target when linked. */
export function cellMark(link: Link | null, r: number, q: number): IndexCellMark | undefined {
  return link?.targets.has(`${r},${q}`) ? 'target' : undefined;
}

/** The mark of cell (r, p) of i or j: active when linked. */
export function entryMark(link: Link | null, r: number, p: number): IndexCellMark | undefined {
  return link?.entries.has(`${r},${p}`) ? 'active' : undefined;
}

/** The mark of entry r of d: active when linked. */
export function channelMark(link: Link | null, r: number): IndexCellMark | undefined {
  return link?.channels.has(r) ? 'active' : undefined;
}

/**
 * Edits padded pixel (y, x) of `plane` from the typed text: returns the flat NCHW index of the
 * original pixel to pass to setValue, or a note when the pixel is part of the zero border.
 */
export function pixelEditTarget(view: IndexView, plane: InputPlane, y: number, x: number): { index: number } | { note: string } {
  const { C, H, W, ph, pw } = view.geometry;
  if (!inside(view, y, x)) {
    return {
      note: `x_padded[${plane.n}, ${plane.c}, ${y}, ${x}] is padding: the zero border is not part of the input, so it stays 0. Edit a pixel inside the border.`,
    };
  }
  return { index: ((plane.n * C + plane.c) * H + (y - ph)) * W + (x - pw) };
}

/** Whether a probe addresses a cell that exists in this view (a probe can outlive a settings change). */
export function probeFits(view: IndexView, probe: Probe): boolean {
  const { N, C, HP, WP } = view.geometry;
  const within = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;
  switch (probe.kind) {
    case 'entry':
      return within(probe.r, view.rows) && within(probe.p, view.columns);
    case 'cell':
      return within(probe.r, view.rows) && within(probe.q, view.width);
    case 'channel':
      return within(probe.r, view.rows);
    case 'pixel':
      return within(probe.n, N) && within(probe.c, C) && within(probe.y, HP) && within(probe.x, WP);
  }
}

/**
 * The probe to show: what the reader points at while it still exists in this view (highlight
 * only: the step stays where it is), otherwise the current step's.
 */
export function currentProbe(view: IndexView, step: IndexStep, pointed: Probe | null): Probe {
  return pointed !== null && probeFits(view, pointed) ? pointed : step.probe;
}
