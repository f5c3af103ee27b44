/**
 * The GEMM view at one step: marks and hidden cells per grid, the code mark and the dot product
 * shown, with the reader's focus on a Y or feature-map cell linked across the grids.
 */
import { columnPosition } from './view.ts';
import type { CellStep, GemmMark, GemmStep, GemmView } from './view.ts';
import { im2colIndices } from '../../im2col/indices.ts';

/** A Y cell or feature-map cell the reader points at (hover/focus), for linked highlighting. */
export type GemmFocus = { kind: 'y'; f: number; q: number } | { kind: 'map'; map: number; oh: number; ow: number };

/** What one step looks like: marks and hidden cells per grid, the code mark, the dot product shown. */
export interface GemmFrame {
  step: GemmStep;
  index: number;
  /** The cell whose dot product is listed (the step's, or the one pointed at). */
  cell: CellStep | null;
  wRowMark: (r: number, c: number) => GemmMark | undefined;
  colsMark: (r: number, c: number) => GemmMark | undefined;
  yMark: (r: number, c: number) => GemmMark | undefined;
  /** True for Y cells not computed yet at this step. */
  yBlank: (r: number, c: number) => boolean;
  /** Marks of input plane `k` (index into view.inputs). */
  inputMark: (k: number) => (r: number, c: number) => GemmMark | undefined;
  /** Marks of kernel plane `k` (index into view.kernels). */
  kernelMark: (k: number) => (r: number, c: number) => GemmMark | undefined;
  /** Marks of feature map `k` (index into view.maps). */
  mapMark: (k: number) => (r: number, c: number) => GemmMark | undefined;
  /** True when feature map `k` has not been filled yet at this step. */
  mapBlank: (k: number) => boolean;
}

/** Clamps a step index into the view's steps. */
export function clampGemmStep(view: GemmView, index: number): number {
  if (!Number.isFinite(index)) return 0;
  return Math.min(view.steps.length - 1, Math.max(0, Math.trunc(index)));
}

function focusCell(view: GemmView, focus: GemmFocus | null | undefined): { f: number; q: number } | null {
  if (!focus) return null;
  if (focus.kind === 'y') {
    return focus.f >= 0 && focus.f < view.F && focus.q >= 0 && focus.q < view.Q ? { f: focus.f, q: focus.q } : null;
  }
  const m = view.maps[focus.map];
  if (!m || focus.oh < 0 || focus.oh >= view.OH || focus.ow < 0 || focus.ow >= view.OW) return null;
  return { f: m.f, q: m.firstColumn + focus.oh * view.OW + focus.ow };
}

/**
 * The frame of step `index` (clamped). With a `focus` (a Y or feature-map cell under the pointer),
 * the marks trace that cell instead: its W_row row, X_col column, input patch, kernel and map cell;
 * what is filled in stays the step's.
 */
export function gemmFrame(view: GemmView, index: number, focus?: GemmFocus | null): GemmFrame {
  const k = clampGemmStep(view, index);
  const step = view.steps[k];
  const { F, P, OH, OW, Q } = view;
  const filled =
    step.kind === 'operands' ? -1 : step.kind === 'term' ? step.cell.index - 1 : step.kind === 'cell' ? step.cell.index : F * Q;
  const mapsFilled = step.kind === 'reshape' ? step.map : -1;
  const pointed = focusCell(view, focus);
  const traced = pointed ?? (step.kind === 'cell' || step.kind === 'term' ? { f: step.f, q: step.q } : null);
  const cell = traced ? view.cellSteps[traced.f * Q + traced.q] : null;
  const term = !pointed && step.kind === 'term' ? step : null;
  const block = !pointed && step.kind === 'reshape' ? { f: step.f, from: step.n * P, to: step.n * P + P - 1 } : null;

  // The input pixels of the traced column's patch, per plane index: "r,c" keys.
  const patch = new Map<number, Set<string>>();
  if (traced) {
    const { settings } = view.example;
    const g = view.example.geometry;
    const idx = im2colIndices(view.example.x.shape, [view.KH, view.KW], {
      stride: settings.stride,
      padding: settings.padding,
      dilation: settings.dilation,
    });
    const { n } = columnPosition(traced.q, OH, OW);
    const p = traced.q % P;
    for (let r = 0; r < view.R; r++) {
      const row = idx.i[r * P + p] - g.ph;
      const col = idx.j[r * P + p] - g.pw;
      if (row < 0 || row >= g.H || col < 0 || col >= g.W) continue;
      const plane = n * view.C + idx.d[r];
      if (!patch.has(plane)) patch.set(plane, new Set());
      patch.get(plane)!.add(`${row},${col}`);
    }
  }
  const tracedMap = traced ? columnPosition(traced.q, OH, OW).n * F + traced.f : -1;
  const tracedPos = traced ? columnPosition(traced.q, OH, OW) : null;

  return {
    step,
    index: k,
    cell,
    wRowMark: (r, c) =>
      term && r === term.f && c === term.k ? 'active' : traced && r === traced.f ? 'source' : block && r === block.f ? 'source' : undefined,
    colsMark: (r, c) => (term && c === term.q && r === term.k ? 'active' : traced && c === traced.q ? 'source' : undefined),
    yMark: (r, c) => {
      if (traced && r === traced.f && c === traced.q) return 'active';
      if (block && r === block.f && c >= block.from && c <= block.to) return 'source';
      return undefined;
    },
    yBlank: (r, c) => r * Q + c > filled,
    inputMark: (plane) => (r, c) => (patch.get(plane)?.has(`${r},${c}`) ? 'source' : undefined),
    kernelMark: (plane) => () => (traced && view.kernels[plane]?.a === traced.f ? 'source' : undefined),
    mapMark: (m) => (r, c) => {
      if (tracedPos && m === tracedMap && r === tracedPos.oh && c === tracedPos.ow) return 'target';
      if (step.kind === 'reshape' && !pointed && m === step.map) return 'active';
      return undefined;
    },
    mapBlank: (m) => m > mapsFilled,
  };
}
