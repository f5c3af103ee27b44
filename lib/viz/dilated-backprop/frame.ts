/**
 * The dilated backprop's frame at one step: the current cell's products and the marks of every
 * grid, with the reader's focus linked across the dY, dilated, padded and rotated grids.
 */
import type { DilatedCellStep } from '../../trace/dilated-trace.ts';
import { cellName } from './view.ts';
import type { DilatedFocus, DilatedMark, DilatedStep, DilatedView } from './view.ts';

/** One row of the terms table of a convolution step. */
export interface TermRow {
  f: number;
  /** Position in the padded gradient, `[y,x]`. */
  at: string;
  /** Tap of the rotated kernel, `[kh,kw]`. */
  tap: string;
  gradient: number;
  weight: number;
  product: number;
}

/** What the figure shows at one step: the step, its cell, which planes, and the marks of every grid. */
export interface DilatedFrame {
  index: number;
  step: DilatedStep;
  cell: DilatedCellStep | null;
  /** The products of the current cell, in the order the engine sums them. */
  terms: TermRow[];
  /** The caption of the terms table, e.g. "full[1,1] → dX[1,1]: 4 products". */
  termsCaption: string;
  /** The padded-gradient planes (indices into view.padded) the convolution step shows: image n. */
  paddedShown: number[];
  /** The rotated-kernel planes (indices into view.rotated) the convolution step shows: channel c. */
  rotatedShown: number[];
  /** The full-convolution plane (index into view.full) the convolution step fills. */
  fullShown: number;
  gradientMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  kernelMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  dilatedMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  paddedMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  /** The ring of zeros added by the pad step (hatched). */
  paddedPadding: (r: number, c: number) => boolean;
  rotatedMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  fullMark: (plane: number) => (r: number, c: number) => DilatedMark | undefined;
  /** Cells of the full result the convolution has not reached yet. */
  fullBlank: (plane: number) => (r: number, c: number) => boolean;
  /** The border of the full result that the crop removes (where the forward padding was). */
  fullCropped: (r: number, c: number) => boolean;
}

/** Clamps a step index into the view's steps. */
export function clampIndex(view: DilatedView, index: number): number {
  return Math.min(view.steps.length - 1, Math.max(0, Math.trunc(index) || 0));
}

/**
 * The frame at step `index`, with the reader's `focus` linked across grids: a dY cell lights up
 * where it lands in the dilated and padded gradient, a kernel cell where it lands in the rotated
 * kernel.
 */
export function dilatedFrame(view: DilatedView, index: number, focus: DilatedFocus | null = null): DilatedFrame {
  const k = clampIndex(view, index);
  const step = view.steps[k];
  const g = view.geometry;
  const { C, KH, KW, sh, sw, ph, pw, H, W } = g;
  const { pad } = view.trace;
  const [DH, DW] = view.trace.plan.dilated;
  const cell = step.cell === null ? null : view.cells[step.cell];
  const conv = step.kind === 'conv';
  const after = step.kind !== 'dilate';

  const terms: TermRow[] = cell
    ? cell.terms.map((t) => ({
        f: t.f,
        at: `[${t.y},${t.x}]`,
        tap: `[${t.kh},${t.kw}]`,
        gradient: t.gradient,
        weight: t.weight,
        product: t.product,
      }))
    : [];
  const window = new Set<string>();
  if (cell) for (const t of cell.terms) window.add(`${t.f},${t.y},${t.x}`);

  // The flat position of the cell the reader points at, in the grids it links to.
  const dyFocus = focus?.grid === 'dy' ? focus : null;
  const wFocus = focus?.grid === 'w' ? focus : null;
  const inserted = (r: number, c: number) => r % sh !== 0 || c % sw !== 0;

  const gradientMark =
    (plane: number) =>
    (r: number, c: number): DilatedMark | undefined =>
      dyFocus && dyFocus.plane === plane && dyFocus.r === r && dyFocus.c === c ? 'active' : undefined;
  const kernelMark =
    (plane: number) =>
    (r: number, c: number): DilatedMark | undefined =>
      wFocus && wFocus.plane === plane && wFocus.r === r && wFocus.c === c ? 'active' : undefined;
  const dilatedMark =
    (plane: number) =>
    (r: number, c: number): DilatedMark | undefined => {
      if (dyFocus && dyFocus.plane === plane && dyFocus.r * sh === r && dyFocus.c * sw === c) return 'active';
      if (inserted(r, c)) return after ? 'muted' : 'target';
      return undefined;
    };
  const paddedPadding = (r: number, c: number) => r < pad.top || r >= pad.top + DH || c < pad.left || c >= pad.left + DW;
  const paddedMark =
    (plane: number) =>
    (r: number, c: number): DilatedMark | undefined => {
      if (dyFocus && dyFocus.plane === plane && pad.top + dyFocus.r * sh === r && pad.left + dyFocus.c * sw === c) return 'active';
      const p = view.padded[plane];
      if (conv && cell && p.a === cell.n && window.has(`${p.b},${r},${c}`)) return 'source';
      if (paddedPadding(r, c)) return step.kind === 'pad' ? 'target' : undefined;
      if (inserted(r - pad.top, c - pad.left)) return 'muted';
      return undefined;
    };
  const rotatedMark =
    (plane: number) =>
    (r: number, c: number): DilatedMark | undefined => {
      const p = view.rotated[plane]; // channel p.a, filter p.b
      if (wFocus) {
        const wf = view.kernels[wFocus.plane]; // filter wf.a, channel wf.b
        if (wf && wf.a === p.b && wf.b === p.a && KH - 1 - wFocus.r === r && KW - 1 - wFocus.c === c) return 'active';
      }
      if (conv && cell && p.a === cell.c) return 'source';
      return undefined;
    };
  const fullCropped = (r: number, c: number) => r < ph || r >= ph + H || c < pw || c >= pw + W;
  const fullMark =
    (plane: number) =>
    (r: number, c: number): DilatedMark | undefined => {
      const p = view.full[plane];
      if (conv && cell && p.a === cell.n && p.b === cell.c && r === cell.i && c === cell.j) return 'active';
      if (step.kind === 'crop' && fullCropped(r, c)) return 'muted';
      return undefined;
    };
  const fullBlank =
    (plane: number) =>
    (r: number, c: number): boolean => {
      if (!conv || !cell) return false;
      const p = view.full[plane];
      const [HP, WP] = view.trace.plan.full;
      const at = ((p.a * C + p.b) * HP + r) * WP + c;
      return at > step.cell!;
    };

  const termsCaption = cell
    ? `${cellName('full', g, cell.n, cell.c, cell.i, cell.j)}${cell.dx ? ` → ${cellName('dX', g, cell.n, cell.c, cell.dx[0], cell.dx[1])}` : ' (cropped later)'}: ` +
      `${cell.terms.length} product${cell.terms.length === 1 ? '' : 's'} of the padded gradient and the rotated kernel`
    : '';

  return {
    index: k,
    step,
    cell,
    terms,
    termsCaption,
    paddedShown: cell ? view.padded.flatMap((p, q) => (p.a === cell.n ? [q] : [])) : [],
    rotatedShown: cell ? view.rotated.flatMap((p, q) => (p.a === cell.c ? [q] : [])) : [],
    fullShown: cell ? cell.n * C + cell.c : 0,
    gradientMark,
    kernelMark,
    dilatedMark,
    paddedMark,
    paddedPadding,
    rotatedMark,
    fullMark,
    fullBlank,
    fullCropped,
  };
}
