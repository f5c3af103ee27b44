import { convGeometry } from '../geometry.ts';
import type { ConvOptions } from '../geometry.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { formatValue } from '../viz/format.ts';
import { DRAW_BUDGET } from '../viz/figure/budget.ts';
import { inspect, isTensor } from './inspect.ts';
import type { OutputGrid, OutputItem, OutputRole } from './output.ts';

/**
 * At most this many planes of one tensor are drawn, and no more than fit the site's one draw
 * budget (DRAW_BUDGET cells per shown value: two 32×32 planes, sixteen 8×8 ones); the rest are
 * counted in a note.
 */
export const MAX_GRIDS = 16;

/** How many planes of `cellsPerPlane` drawn cells a shown value draws: within MAX_GRIDS and DRAW_BUDGET, at least one. */
export function planesShown(planes: number, cellsPerPlane: number): number {
  return Math.min(planes, MAX_GRIDS, Math.max(1, Math.floor(DRAW_BUDGET / Math.max(1, cellsPerPlane))));
}
/** A drawn plane or matrix keeps at most this many rows and columns; the rest are counted in a note. */
export const MAX_ROWS = 32;
export const MAX_COLS = 32;

/**
 * Options of `show(value, label?, options?)`: `role` colors the grids (default from the label —
 * `x`/input, `w`/kernel, `cols`/matrix, `dx`/gradient — else output for a tensor, matrix for an
 * array); `im2col` gives the geometry of an im2col matrix `[C·KH·KW, N·OH·OW]`, whose rows are
 * then headed by their channel and kernel tap `(c) kh,kw` and columns by image and output
 * position `(n) oh,ow`.
 */
export interface ShowOptions {
  role?: OutputRole;
  im2col?: { xShape: readonly number[]; kernel: readonly number[] } & ConvOptions;
}

const ROLES: readonly OutputRole[] = ['input', 'kernel', 'matrix', 'output', 'gradient'];

/** The role a label suggests (`dx`, `grad…` gradient; `w`, `kernel` kernel; `cols`, `im2col` matrix; `x`, `input` input). */
export function roleFromLabel(label: string | undefined): OutputRole | null {
  if (!label) return null;
  const l = label.trim();
  if (/^d[a-z]\b|^d[a-z]_|grad/i.test(l)) return 'gradient';
  if (/col|^W_row|matrix/i.test(l)) return 'matrix';
  if (/^(w|k|kernel|weights?|filters?)\b/i.test(l)) return 'kernel';
  if (/^(x|input|image|img)\b/i.test(l)) return 'input';
  if (/^(y|out|output)\b/i.test(l)) return 'output';
  return null;
}

/** The first MAX_ROWS × MAX_COLS of `rows`, noting in `notes` when the full R × C was larger. */
function clip(rows: number[][], notes: string[], what: string, R: number, C: number): number[][] {
  if (R > MAX_ROWS || C > MAX_COLS) {
    notes.push(`${what}: showing ${Math.min(R, MAX_ROWS)} of ${R} rows and ${Math.min(C, MAX_COLS)} of ${C} columns`);
  }
  return rows.slice(0, MAX_ROWS).map((r) => r.slice(0, MAX_COLS));
}

function planeRows(data: Float32Array, base: number, H: number, W: number): number[][] {
  const rows: number[][] = [];
  for (let r = 0; r < Math.min(H, MAX_ROWS + 1); r++)
    rows.push(Array.from(data.subarray(base + r * W, base + r * W + Math.min(W, MAX_COLS + 1))));
  return rows;
}

function checkOptions(options: unknown): ShowOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConvConfigError('options', `show's options must be an object { role, im2col }, got ${describeValue(options)}`);
  }
  const o = options as ShowOptions;
  for (const key of Object.keys(o)) {
    if (key !== 'role' && key !== 'im2col')
      throw new ConvConfigError(key, `show has no option ${JSON.stringify(key)}; allowed: role, im2col`);
  }
  if (o.role !== undefined && !ROLES.includes(o.role)) {
    throw new ConvConfigError('role', `role must be one of ${ROLES.join(', ')}, got ${describeValue(o.role)}`);
  }
  return o;
}

/** Row and column headers of an im2col matrix of the given geometry; throws if the shape does not match. */
function im2colHeaders(
  shape: readonly number[],
  spec: NonNullable<ShowOptions['im2col']>,
): { rows: string[]; cols: string[]; note: string } {
  const { xShape, kernel, ...opts } = spec;
  const g = convGeometry(xShape, kernel, opts, 'show');
  const rows = g.C * g.KH * g.KW;
  const cols = g.N * g.OH * g.OW;
  if (shape.length !== 2 || shape[0] !== rows || shape[1] !== cols) {
    throw new ConvConfigError(
      'im2col',
      `an im2col matrix of this geometry is ${rows}×${cols} [C·KH·KW, N·OH·OW], got shape ${describeValue(shape)}`,
    );
  }
  const rowHeaders: string[] = [];
  for (let c = 0; c < g.C; c++)
    for (let kh = 0; kh < g.KH; kh++) for (let kw = 0; kw < g.KW; kw++) rowHeaders.push(`${g.C > 1 ? `c${c} ` : ''}${kh},${kw}`);
  const colHeaders: string[] = [];
  for (let n = 0; n < g.N; n++)
    for (let oh = 0; oh < g.OH; oh++) for (let ow = 0; ow < g.OW; ow++) colHeaders.push(`${g.N > 1 ? `n${n} ` : ''}${oh},${ow}`);
  return {
    rows: rowHeaders.slice(0, MAX_ROWS),
    cols: colHeaders.slice(0, MAX_COLS),
    note: `rows: ${g.C > 1 ? 'channel c, ' : ''}kernel tap kh,kw; columns: ${g.N > 1 ? 'image n, ' : ''}output position oh,ow (row r = (c·${g.KH} + kh)·${g.KW} + kw, column q = (n·${g.OH} + oh)·${g.OW} + ow)`,
  };
}

function isMatrix(value: unknown): value is number[][] {
  if (!Array.isArray(value) || value.length === 0) return false;
  const width = Array.isArray(value[0]) ? value[0].length : -1;
  return width > 0 && value.every((row) => Array.isArray(row) && row.length === width && row.every((v) => typeof v === 'number'));
}

function tensorItem(t: { shape: readonly number[]; data: Float32Array }, label: string, options: ShowOptions): OutputItem {
  const shape = [...t.shape];
  const role = options.role ?? roleFromLabel(label) ?? (options.im2col ? 'matrix' : 'output');
  const notes: string[] = [];
  const grids: OutputGrid[] = [];
  const rank = shape.length;
  if (rank === 1) {
    grids.push({ label, values: clip([Array.from(t.data.subarray(0, MAX_COLS + 1))], notes, label, 1, shape[0]) });
  } else if (rank === 2) {
    const grid: OutputGrid = { label, values: clip(planeRows(t.data, 0, shape[0], shape[1]), notes, label, shape[0], shape[1]) };
    if (options.im2col) {
      const h = im2colHeaders(shape, options.im2col);
      grid.rowHeaders = h.rows;
      grid.colHeaders = h.cols;
      notes.unshift(h.note);
    }
    grids.push(grid);
  } else {
    const H = shape[rank - 2];
    const W = shape[rank - 1];
    const planes = shape.slice(0, rank - 2).reduce((a, b) => a * b, 1);
    const axes = rank === 4 ? ['n', 'c'] : shape.slice(0, rank - 2).map((_, k) => `i${k}`);
    const shown = planesShown(planes, Math.min(H, MAX_ROWS) * Math.min(W, MAX_COLS));
    for (let p = 0; p < shown; p++) {
      const index: number[] = [];
      let rest = p;
      for (let a = rank - 3; a >= 0; a--) {
        index.unshift(rest % shape[a]);
        rest = Math.floor(rest / shape[a]);
      }
      const name = `${label} [${index.map((v, a) => `${rank === 3 ? 'c' : axes[a]}=${v}`).join(', ')}]`;
      grids.push({ label: name, values: clip(planeRows(t.data, p * H * W, H, W), p === 0 ? notes : [], 'each plane', H, W) });
    }
    if (planes > shown) {
      notes.push(
        `showing ${shown} of ${planes} planes${shown < MAX_GRIDS ? ` (a value draws at most ${DRAW_BUDGET.toLocaleString('en-US')} cells)` : ''}`,
      );
    }
  }
  return { kind: 'grids', label, role, shape, grids, notes };
}

/**
 * What `show(value, label?, options?)` draws, as plain data: a Tensor as its planes per image and
 * channel (`[N, C, H, W]` → N·C grids labelled `y [n=0, c=1]`; 3-D per channel; 2-D one matrix;
 * 1-D one row; 0-D its number), a 2-D array of numbers as a matrix, a number as formatValue
 * prints it, a string as it is, anything else as console.log would print it. Large values are cut
 * to planes of MAX_ROWS×MAX_COLS, as many as fit DRAW_BUDGET cells (at most MAX_GRIDS), with a note. Undefined shows nothing (null).
 * Throws ConvConfigError for bad options (an unknown key, an unknown role, an im2col geometry
 * that does not match the matrix).
 */
export function describeShown(value: unknown, label?: string, options?: unknown): OutputItem | null {
  const opts = checkOptions(options);
  const name = label ?? '';
  if (value === undefined) return null;
  if (isTensor(value)) {
    if (value.shape.length === 0) return { kind: 'text', text: formatValue(value.data[0]), ...(label ? { label } : {}) };
    return tensorItem(value, name || 'tensor', opts);
  }
  if (isMatrix(value)) {
    const shape = [value.length, value[0].length];
    const t = { shape, data: Float32Array.from(value.flat()) };
    return tensorItem(t, name || 'matrix', { role: opts.role ?? roleFromLabel(name) ?? 'matrix', im2col: opts.im2col });
  }
  if (opts.im2col) throw new ConvConfigError('im2col', `show's im2col option needs a 2-D tensor or matrix, got ${inspect(value)}`);
  const text = typeof value === 'number' ? formatValue(value) : typeof value === 'string' ? value : inspect(value);
  return { kind: 'text', text, ...(label ? { label } : {}) };
}
