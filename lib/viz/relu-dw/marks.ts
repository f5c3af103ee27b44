/**
 * The marks and blank cells of the ReLU-mask-and-dW figure (lesson 6) for one step and pointer.
 * Hover and focus only highlight (a pointed cell is traced instead of the step's); what is filled
 * in is always the step's. Pure.
 */
import type { CellMark, MarkGrid, Pointer } from '../figure/mark.ts';
import { emptyMarks } from '../figure/mark.ts';
import type { ReluDwProgress, ReluDwStep } from './steps.ts';
import type { ReluDwView } from './view.ts';
import { weightTap, windowPosition } from './labels.ts';
import type { WeightTerm } from './replay.ts';

/** The marks of every grid: per padded input panel, kernel plane, output plane (its five grids share them), and the matrices. */
export interface ReluDwMarks {
  inputs: MarkGrid[];
  kernels: MarkGrid[];
  maps: MarkGrid[];
  /** 1×F. */
  db: MarkGrid;
  /** F×Q. */
  dyRow: MarkGrid;
  /** Q×R. */
  colsT: MarkGrid;
  /** F×R. */
  dwRow: MarkGrid;
  /** Per dW plane [f, c]. */
  dw: MarkGrid[];
}

/** What the reader can point at: a cell of output plane m's grids (`map<m>`), of dW_row (`dwRow`) or of a dW plane (`dw<k>`). */
type Traced = { kind: 'cell'; map: number; oh: number; ow: number } | { kind: 'weight'; f: number; r: number } | null;

function pointed(view: ReluDwView, p: Pointer | null): Traced {
  if (!p) return null;
  const { OH, OW, F, R, KH, KW } = view;
  if (p.grid.startsWith('map')) {
    const map = Number(p.grid.slice(3));
    return map >= 0 && map < view.maps.length && p.r >= 0 && p.r < OH && p.c >= 0 && p.c < OW
      ? { kind: 'cell', map, oh: p.r, ow: p.c }
      : null;
  }
  if (p.grid === 'dwRow') return p.r >= 0 && p.r < F && p.c >= 0 && p.c < R ? { kind: 'weight', f: p.r, r: p.c } : null;
  if (p.grid.startsWith('dw')) {
    const plane = view.dw[Number(p.grid.slice(2))];
    if (!plane || p.r < 0 || p.r >= KH || p.c < 0 || p.c >= KW) return null;
    return { kind: 'weight', f: plane.a, r: (plane.b * KH + p.r) * KW + p.c };
  }
  return null;
}

/** The marks of `step`, or of the cell the reader points at (`pointer`, highlight only). */
export function reluDwMarks(view: ReluDwView, step: ReluDwStep, pointer: Pointer | null = null): ReluDwMarks {
  const { N, C, F, P, Q, R, OH, OW, KH, KW } = view;
  const m: ReluDwMarks = {
    inputs: view.inputs.map((p) => emptyMarks(p.values.length, p.values[0].length)),
    kernels: view.kernels.map(() => emptyMarks(KH, KW)),
    maps: view.maps.map(() => emptyMarks(OH, OW)),
    db: emptyMarks(1, F),
    dyRow: emptyMarks(F, Q),
    colsT: emptyMarks(Q, R),
    dwRow: emptyMarks(F, R),
    dw: view.dw.map(() => emptyMarks(KH, KW)),
  };
  const pixel = (r: number, q: number, mark: CellMark) => {
    const copy = view.replay.copies[r][q];
    m.inputs[copy.n * C + copy.c][copy.y][copy.x] = mark;
  };
  const window = (q: number) => {
    for (let r = 0; r < R; r++) pixel(r, q, 'source');
    m.colsT[q].fill('source');
  };
  const deltaCell = (f: number, q: number, mark: CellMark) => {
    const { n, oh, ow } = windowPosition(q, OH, OW);
    m.maps[n * F + f][oh][ow] = mark;
  };
  const weight = (f: number, r: number, mark: CellMark) => {
    const { c, kh, kw } = weightTap(r, KH, KW);
    m.kernels[f * C + c][kh][kw] = mark;
    m.dwRow[f][r] = mark;
    m.dw[f * C + c][kh][kw] = mark;
  };
  const filterKernels = (f: number) => {
    for (let c = 0; c < C; c++) m.kernels[f * C + c].forEach((row) => row.fill('source'));
  };
  const traceCell = (map: number, oh: number, ow: number) => {
    m.maps[map][oh][ow] = 'active';
    window(Math.floor(map / F) * P + oh * OW + ow);
    filterKernels(map % F);
  };
  const traceWeight = (f: number, r: number) => {
    m.dyRow[f].fill('source');
    for (let q = 0; q < Q; q++) {
      m.colsT[q][r] = 'source';
      pixel(r, q, 'source');
    }
    weight(f, r, 'active');
  };
  const traced = pointed(view, pointer);
  if (traced?.kind === 'cell') {
    traceCell(traced.map, traced.oh, traced.ow);
    return m;
  }
  if (traced?.kind === 'weight') {
    traceWeight(traced.f, traced.r);
    return m;
  }
  const { n, f, r, q } = step;
  switch (step.kind) {
    case 'gate': {
      const p = step.k % P;
      traceCell(n * F + f, Math.floor(p / OW), p % OW);
      break;
    }
    case 'rows':
      m.maps[n * F + f].forEach((row) => row.fill('source'));
      for (let p = 0; p < P; p++) m.dyRow[f][n * P + p] = 'target';
      break;
    case 'bias-term':
      m.dyRow[f][q] = 'active';
      deltaCell(f, q, 'source');
      m.db[0][f] = 'target';
      break;
    case 'bias':
      m.dyRow[f].fill('source');
      for (let k = 0; k < N; k++) m.maps[k * F + f].forEach((row) => row.fill('source'));
      m.db[0][f] = 'active';
      break;
    case 'term':
      m.dyRow[f][q] = 'active';
      m.colsT[q][r] = 'active';
      pixel(r, q, 'active');
      deltaCell(f, q, 'source');
      weight(f, r, 'target');
      break;
    case 'store':
      traceWeight(f, r);
      break;
  }
  return m;
}

/** Which cells are blank (not computed yet) once the step with `progress` has run. */
export interface ReluDwBlanks {
  /** δ_Z cell (r, c) of output plane `map`. */
  delta(map: number, r: number, c: number): boolean;
  dyRow(f: number, q: number): boolean;
  db(f: number): boolean;
  dwRow(f: number, r: number): boolean;
  /** Cell (kh, kw) of dW plane `plane` ([f, c]). */
  dw(plane: number, kh: number, kw: number): boolean;
}

/** The blank cells for `progress`: each output is blank until the statement that stores it has run. */
export function reluDwBlanks(view: ReluDwView, progress: ReluDwProgress): ReluDwBlanks {
  const { F, P, R, OW, KH, KW, C } = view;
  const dwRow = (f: number, r: number) => f * R + r >= progress.dw;
  return {
    delta: (map, r, c) => map * P + r * OW + c >= progress.delta,
    dyRow: (f, q) => Math.floor(q / P) * F + f >= progress.rows,
    db: (f) => f >= progress.db,
    dwRow,
    dw: (plane, kh, kw) => dwRow(Math.floor(plane / C), ((plane % C) * KH + kh) * KW + kw),
  };
}

/** The dot product the terms table lists: weight (f, r), its terms summed so far, and the stored sum once stored. */
export interface ListedWeight {
  f: number;
  r: number;
  /** `dW[f,c,kh,kw]`. */
  name: string;
  terms: WeightTerm[];
  /** The stored gradient, or null while the loop is still summing. */
  sum: number | null;
}

/** The weight whose terms are listed: the pointed one once stored, else the step's (terms so far); null outside stage 3. */
export function listedWeight(view: ReluDwView, step: ReluDwStep, pointer: Pointer | null = null): ListedWeight | null {
  const traced = pointed(view, pointer);
  const stored = (f: number, r: number) => f * view.R + r < step.progress.dw;
  let at: { f: number; r: number; count: number } | null = null;
  if (traced?.kind === 'weight' && stored(traced.f, traced.r)) at = { f: traced.f, r: traced.r, count: view.Q };
  else if (step.kind === 'term') at = { f: step.f, r: step.r, count: step.t + 1 };
  else if (step.kind === 'store') at = { f: step.f, r: step.r, count: view.Q };
  if (!at) return null;
  const { c, kh, kw } = weightTap(at.r, view.KH, view.KW);
  return {
    f: at.f,
    r: at.r,
    name: `dW[${at.f},${c},${kh},${kw}]`,
    terms: view.replay.terms[at.f][at.r].slice(0, at.count),
    sum: stored(at.f, at.r) ? view.dwRow[at.f][at.r] : null,
  };
}
