/**
 * What the gradient scatter draws at one step: the running dx values, the blank pixels (progressive
 * reveal), the marks of dX_col, the dx panels and the coverage map (with linked highlighting of
 * the focused cell) and the sentence about the focused cell.
 */
import type { Grid } from '../grid.ts';
import type { ScatterFocus, ScatterMark, ScatterView } from './view.ts';
import { stepAt } from './steps.ts';
import { dcolsTerms, joinAnd, pixelAdds, pixelName, pixelSumText } from './text.ts';

/**
 * The values of dx panel `panel` (padded, border 0) once step `index` is shown: the loops' running
 * values, i.e. the last `after` of every pixel among the entries folded so far.
 */
export function dxValuesAt(view: ScatterView, panel: number, index: number): Grid {
  const p = view.dxPanels[panel];
  const grid = Array.from({ length: p.rows }, () => new Array<number>(p.cols).fill(0));
  for (const add of view.trace.steps.slice(0, stepAt(view, index).folded)) {
    if (!add.dropped && add.n === p.n && add.c === p.c) grid[add.y][add.x] = add.after;
  }
  return grid;
}

/**
 * Which pixels of dx panel `panel` are still blank at step `index` (progressive reveal): inside
 * the image, reached by some window, and not yet reached by the entries folded so far. At the
 * last step nothing is blank.
 */
export function dxBlankOf(view: ScatterView, panel: number, index: number): (y: number, x: number) => boolean {
  const p = view.dxPanels[panel];
  const step = stepAt(view, index);
  const touched = new Set<string>();
  const later = new Set<string>();
  for (const add of view.trace.steps) {
    if (add.dropped || add.n !== p.n || add.c !== p.c) continue;
    (add.order < step.folded ? touched : later).add(`${add.y},${add.x}`);
  }
  return (y, x) => step.kind !== 'done' && !touched.has(`${y},${x}`) && later.has(`${y},${x}`);
}

function focusedPixel(view: ScatterView, focus: ScatterFocus | null): { n: number; c: number; y: number; x: number } | null {
  if (!focus) return null;
  if (focus.kind === 'dx') {
    const p = view.dxPanels[focus.panel];
    return p ? { n: p.n, c: p.c, y: focus.y, x: focus.x } : null;
  }
  const add = view.trace.columns[focus.q]?.adds[focus.r];
  return add ? { n: add.n, c: add.c, y: add.y, x: add.x } : null;
}

/**
 * Marks of dx panel `panel` at step `index`: the focused pixel (or the pixel a focused dX_col entry
 * goes to) is 'active'; the current window's positions are 'target' (border ones too: that is where
 * the dropped entries would go); the rest of the border is 'padding'; panels of another image 'muted'.
 */
export function dxMarkOf(
  view: ScatterView,
  panel: number,
  index: number,
  focus: ScatterFocus | null = null,
): (y: number, x: number) => ScatterMark | undefined {
  const p = view.dxPanels[panel];
  const step = stepAt(view, index);
  const group = step.column === null ? null : view.trace.columns[step.column];
  const targets = new Set<string>();
  if (group && group.n === p.n) for (const a of group.adds) if (a.c === p.c) targets.add(`${a.y},${a.x}`);
  const linked = focusedPixel(view, focus);
  const entry = step.entry && step.entry.n === p.n && step.entry.c === p.c ? step.entry : null;
  return (y, x) => {
    if (linked && linked.n === p.n && linked.c === p.c && linked.y === y && linked.x === x) return 'active';
    if (entry && entry.y === y && entry.x === x) return 'active';
    if (targets.has(`${y},${x}`)) return 'target';
    if (group && group.n !== p.n) return 'muted';
    if (p.padding[y]?.[x]) return 'padding';
    return undefined;
  };
}

/** Which cells of dx panel `panel` are the padding border. */
export function dxPaddingOf(view: ScatterView, panel: number): (y: number, x: number) => boolean {
  const p = view.dxPanels[panel];
  return (y, x) => p.padding[y]?.[x] === true;
}

/**
 * Marks of dX_col at step `index`: entries linked to the focus, and the entry being folded, are
 * 'active' (the focused entry, or every entry that lands on a focused pixel); the rest of the column
 * being folded is 'source'; entries already folded are 'muted'.
 */
export function dcolsMarkOf(
  view: ScatterView,
  index: number,
  focus: ScatterFocus | null = null,
): (r: number, q: number) => ScatterMark | undefined {
  const step = stepAt(view, index);
  const Q = view.dcols.shape[1];
  const isFolded = (r: number, q: number) => (view.trace.columns[q]?.adds[r]?.order ?? Infinity) < step.folded;
  const current = step.entry ? `${step.entry.row},${step.entry.column}` : '';
  const linked = new Set<string>();
  if (focus?.kind === 'dcols') linked.add(`${focus.r},${focus.q}`);
  const pixel = focus?.kind === 'dx' ? focusedPixel(view, focus) : null;
  if (pixel) {
    for (const add of view.trace.steps) {
      if (!add.dropped && add.n === pixel.n && add.c === pixel.c && add.y === pixel.y && add.x === pixel.x)
        linked.add(`${add.row},${add.column}`);
    }
  }
  return (r, q) => {
    if (linked.has(`${r},${q}`) || current === `${r},${q}`) return 'active';
    if (step.kind !== 'done' && isFolded(r, q)) return 'muted';
    if ((step.kind === 'window' || step.kind === 'add') && q === step.column && q < Q) return 'source';
    return undefined;
  };
}

/** dX_col entries that land on the padding (hatched: col2im drops them). */
export function dcolsPaddingOf(view: ScatterView): (r: number, q: number) => boolean {
  return (r, q) => view.dropped[r]?.[q] === true;
}

/** Marks of the coverage map at step `index`: the current window's pixels (channel 0 of its image) are 'target'. */
export function coverageMarkOf(view: ScatterView, index: number): (y: number, x: number) => ScatterMark | undefined {
  const step = stepAt(view, index);
  const group = step.column === null ? null : view.trace.columns[step.column];
  const { ph, pw } = view.geometry;
  const targets = new Set<string>();
  if (group) for (const a of group.adds) if (!a.dropped && a.c === 0) targets.add(`${a.y - ph},${a.x - pw}`);
  return (y, x) => (targets.has(`${y},${x}`) ? 'target' : undefined);
}

/**
 * A sentence about the focused cell, for linked highlighting: a dX_col entry's GEMM terms and where
 * it goes; or a dx pixel's adds in the engine's order and their total. Null without a focus.
 */
export function focusDetail(view: ScatterView, focus: ScatterFocus | null): string | null {
  if (!focus) return null;
  const g = view.geometry;
  if (focus.kind === 'dcols') {
    const add = view.trace.columns[focus.q]?.adds[focus.r];
    if (!add) return null;
    const to = add.dropped ? 'lands on the padding and is dropped' : `goes to ${pixelName(g, add.n, add.c, add.y - g.ph, add.x - g.pw)}`;
    return `${dcolsTerms(view, focus.r, focus.q)}; it ${to}.`;
  }
  const p = view.dxPanels[focus.panel];
  if (!p) return null;
  if (p.padding[focus.y]?.[focus.x]) return 'A padding position: whatever col2im would add here is dropped.';
  const adds = pixelAdds(view, p.n, p.c, focus.y, focus.x);
  if (adds.length === 0)
    return `${pixelName(g, p.n, p.c, focus.y - g.ph, focus.x - g.pw)}: no window reaches this pixel, so its gradient stays 0.`;
  const windows = adds.length === 1 ? 'window' : 'windows';
  return `${pixelSumText(g, adds)} (${adds.length} ${windows}: ${joinAnd(adds.map((a) => String(a.column)))}).`;
}
