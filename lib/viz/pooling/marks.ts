/**
 * What the pooling figure draws at one step: the marks of every grid, which cells are still blank
 * (progressive reveal: an output appears when it is stored, a dX_col column when it is routed, a dx
 * pixel when an add reaches it) and dx's running values (the reference loops' own). Where the
 * reader points only adds highlights (`active`); it never moves the step. Grids are named
 * `x<c>`, `cols`, `out<c>`, `dy<c>`, `dcols`, `dx<c>` in pointers. Pure.
 */
import type { CellMark, MarkGrid, Pointer } from '../figure/mark.ts';
import { emptyMarks } from '../figure/mark.ts';
import type { Grid } from '../grid.ts';
import type { PoolStep } from './steps.ts';
import type { PoolView } from './view.ts';

/** The marks, blanks and running values of every grid at one step (per channel where a list). */
export interface PoolFrame {
  inputs: MarkGrid[];
  cols: MarkGrid;
  outputs: MarkGrid[];
  outputBlank: boolean[][][];
  dys: MarkGrid[];
  dcols: MarkGrid;
  dcolsBlank: boolean[][];
  dxValues: Grid[];
  dxBlank: boolean[][][];
  dxMarks: MarkGrid[];
}

function filled<T>(rows: number, cols: number, value: T): T[][] {
  return Array.from({ length: rows }, () => new Array<T>(cols).fill(value));
}

/** Marks and texts of a step with an optional pointer (see the module doc). */
export function poolFrame(view: PoolView, step: PoolStep, pointer: Pointer | null = null): PoolFrame {
  const { OH, OW, ph, pw } = view.example.pool.g;
  const R = view.cols.length;
  const Q = view.columns.length;
  const HP = view.planes[0].input.length;
  const WP = view.planes[0].input[0].length;
  const planes = view.planes.length;
  const frame: PoolFrame = {
    inputs: view.planes.map(() => emptyMarks(HP, WP)),
    cols: emptyMarks(R, Q),
    outputs: view.planes.map(() => emptyMarks(OH, OW)),
    outputBlank: view.planes.map((p) =>
      filled(OH, OW, false).map((row, oh) => row.map((_, ow) => (p.c * OH + oh) * OW + ow >= step.stored)),
    ),
    dys: view.planes.map(() => emptyMarks(OH, OW)),
    dcols: emptyMarks(R, Q),
    dcolsBlank: filled(R, Q, false).map((row) => row.map((_, q) => q >= step.routed)),
    dxValues: view.planes.map(() => filled(HP, WP, 0)),
    dxBlank: view.planes.map(() => filled(HP, WP, step.kind !== 'done')),
    dxMarks: view.planes.map(() => emptyMarks(HP, WP)),
  };
  for (const { event: e } of view.backward.slice(0, step.replayed)) {
    if (e.kind !== 'add') continue;
    frame.dxValues[e.c][e.y + ph][e.x + pw] = e.after;
    frame.dxBlank[e.c][e.y + ph][e.x + pw] = false;
  }
  const cell = (q: number) => ({ c: view.columns[q].c, oh: view.columns[q].oh, ow: view.columns[q].ow });
  const markColumn = (grid: MarkGrid, q: number, mark: CellMark) => grid.forEach((row) => (row[q] = mark));
  const markWindow = (grids: MarkGrid[], q: number, mark: CellMark) => {
    for (const cp of view.columns[q].copies) if (!cp.padding) grids[view.columns[q].c][cp.y][cp.x] = mark;
  };
  const copyAt = (q: number, r: number) => view.columns[q].copies[r];

  const e = step.event;
  if (e && e.kind !== 'im2col' && e.q >= 0) {
    const { c, oh, ow } = cell(e.q);
    if (step.phase === 'forward') {
      markColumn(frame.cols, e.q, 'source');
      markWindow(frame.inputs, e.q, 'source');
      if (e.kind === 'store') {
        const rows = view.mode === 'max' ? [e.arg] : view.columns[e.q].copies.map((cp) => cp.row);
        for (const r of rows) {
          frame.cols[r][e.q] = 'active';
          const cp = copyAt(e.q, r);
          if (!cp.padding) frame.inputs[c][cp.y][cp.x] = 'active';
        }
        frame.outputs[c][oh][ow] = 'active';
      } else {
        if (view.mode === 'max' && e.arg >= 0) {
          frame.cols[e.arg][e.q] = 'target';
          const best = copyAt(e.q, e.arg);
          frame.inputs[c][best.y][best.x] = 'target';
        }
        frame.cols[e.r][e.q] = 'active';
        const cp = copyAt(e.q, e.r);
        frame.inputs[c][cp.y][cp.x] = 'active';
        frame.outputs[c][oh][ow] = 'target';
      }
    } else if (e.kind === 'route') {
      frame.dys[c][oh][ow] = 'active';
      markColumn(frame.dcols, e.q, 'source');
      for (const r of view.receivers[e.q]) frame.dcols[r][e.q] = 'active';
    } else {
      frame.dys[c][oh][ow] = 'source';
      markColumn(frame.dcols, e.q, 'source');
      frame.dcols[e.r][e.q] = 'active';
      markWindow(frame.dxMarks, e.q, 'source');
      frame.dxMarks[c][e.y + ph][e.x + pw] = 'active';
    }
  }
  if (pointer) linkPointer(view, frame, pointer, planes);
  return frame;
}

/** Everything the pointed cell is linked to, marked `active` (see the module doc). */
function linkPointer(view: PoolView, frame: PoolFrame, p: Pointer, planes: number): void {
  const { OH, OW } = view.example.pool.g;
  const Q = view.columns.length;
  const name = p.grid.replace(/\d+$/, '');
  const c = Number(p.grid.slice(name.length) || 0);
  const entry = (r: number, q: number) => {
    frame.cols[r][q] = 'active';
    frame.dcols[r][q] = 'active';
  };
  const pixel = (ch: number, y: number, x: number) => {
    frame.inputs[ch][y][x] = 'active';
    frame.dxMarks[ch][y][x] = 'active';
  };
  const output = (q: number) => {
    const col = view.columns[q];
    frame.outputs[col.c][col.oh][col.ow] = 'active';
    frame.dys[col.c][col.oh][col.ow] = 'active';
  };
  if ((name === 'x' || name === 'dx') && c < planes) {
    pixel(c, p.r, p.c);
    for (const col of view.columns) {
      if (col.c !== c) continue;
      for (const cp of col.copies) if (cp.y === p.r && cp.x === p.c) entry(cp.row, col.q);
    }
  } else if ((name === 'cols' || name === 'dcols') && p.c < Q) {
    const cp = view.columns[p.c].copies[p.r];
    if (!cp) return;
    entry(p.r, p.c);
    output(p.c);
    if (!cp.padding) pixel(view.columns[p.c].c, cp.y, cp.x);
  } else if ((name === 'out' || name === 'dy') && c < planes) {
    const q = (c * OH + p.r) * OW + p.c;
    const col = view.columns[q];
    if (!col) return;
    output(q);
    for (const cp of col.copies) {
      entry(cp.row, q);
      if (!cp.padding) pixel(c, cp.y, cp.x);
    }
  }
}
