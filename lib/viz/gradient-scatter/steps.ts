/**
 * The steps of the gradient scatter: the GEMM, then per window of col2imLoops its start and one
 * step per dX_col entry it folds back, then the check against conv2dBackward — each with its
 * narration and the loops' cursor — and the check line under the figure.
 */
import type { ConvGeometry } from '../../geometry.ts';
import type { AddLine, FoldAdd, ScatterStep, ScatterView } from './view.ts';
import { addText, dcolsTerms, dims, minus } from './text.ts';

function addNarration(g: ConvGeometry, add: FoldAdd, Q: number): string {
  const where = `window ${add.column + 1} of ${Q}, entry ${add.row} (tap ${g.C > 1 ? `c${add.c} ` : ''}${add.kh},${add.kw})`;
  return add.dropped ? `${where}: its pixel lies in the padding, so ${minus(add.value)} is dropped.` : `${where}: ${addText(g, add)}.`;
}

/** The steps of a view (its `steps`), in order. */
export function buildSteps(view: ScatterView): ScatterStep[] {
  const g = view.geometry;
  const { N, OH, OW } = g;
  const F = view.wRow.shape[0];
  const R = view.dcols.shape[0];
  const Q = view.dcols.shape[1];
  const steps: ScatterStep[] = [];
  steps.push({
    kind: 'gemm',
    column: null,
    adds: [],
    folded: 0,
    entry: null,
    cursor: { mark: 'gemm', vars: [] },
    narration:
      `One GEMM first: dX_col = W_rowᵀ × dY_row, ${dims(R, F)} times ${dims(F, Q)} gives ${dims(R, Q)}. ` +
      `Column q holds window q's share of the gradient for each of its ${R} entries, e.g. ${dcolsTerms(view, 0, 0)}. ` +
      `dx starts at zero.`,
  });
  let folded = 0;
  for (const group of view.trace.columns) {
    const adds: AddLine[] = group.adds.map((a) => ({ row: a.row, dropped: a.dropped, text: addText(g, a) }));
    const kept = group.adds.filter((a) => !a.dropped).length;
    const lost = group.adds.filter((a) => a.dropped);
    const where = `${N > 1 ? `image ${group.n}, ` : ''}row ${group.oh}, column ${group.ow} of the output`;
    let text = `Window ${group.column + 1} of ${Q} (${where}): column ${group.column} of dX_col goes back into its window, ${kept} ${kept === 1 ? 'entry' : 'entries'} into dx.`;
    if (lost.length > 0)
      text += ` ${lost.length} ${lost.length === 1 ? 'entry falls' : 'entries fall'} on the padding and ${lost.length === 1 ? 'is' : 'are'} dropped.`;
    steps.push({ kind: 'window', column: group.column, adds, folded, entry: null, cursor: group.cursor, narration: text });
    for (const add of group.adds) {
      folded += 1;
      steps.push({ kind: 'add', column: group.column, adds, folded, entry: add, cursor: add.cursor, narration: addNarration(g, add, Q) });
    }
  }
  const overlaps = maxCoverage(view);
  const sumNote =
    overlaps > 1
      ? `Pixels inside several windows summed one share per window (up to ${overlaps}).`
      : overlaps === 1
        ? 'No pixel is in two windows, so nothing had to be summed: col2im only moved values.'
        : 'No window reached any pixel.';
  steps.push({
    kind: 'done',
    column: null,
    adds: [],
    folded,
    entry: null,
    cursor: { mark: 'done', vars: [] },
    narration: `All ${Q} windows are folded back (output ${dims(OH, OW)}). ${sumNote} ${checkText(view)}`,
  });
  return steps;
}

function maxCoverage(view: ScatterView): number {
  let most = 0;
  for (const v of view.trace.coverage.data) most = Math.max(most, v);
  return most;
}

function checkText(view: ScatterView): string {
  return view.matching === view.pixels
    ? `The total matches ${view.referenceCall}.dx ✓ (all ${view.pixels} values, bit for bit).`
    : `The total differs from ${view.referenceCall}.dx ✗ (${view.matching} of ${view.pixels} values equal).`;
}

/**
 * The line under the figure about the check: before the end, how many windows are folded so far;
 * at the end, `matches conv2dBackward(…).dx ✓` (or ✗ with the count, should they ever differ).
 */
export function checkLine(view: ScatterView, index: number): string {
  const step = stepAt(view, index);
  const Q = view.trace.columns.length;
  if (step.kind === 'done') {
    return view.matching === view.pixels
      ? `matches ${view.referenceCall}.dx ✓`
      : `differs from ${view.referenceCall}.dx ✗ (${view.matching} of ${view.pixels} equal)`;
  }
  const folded = foldedColumns(view, index);
  return `${folded} of ${Q} windows folded; the last step compares the total with ${view.referenceCall}.dx`;
}

/** The step shown at `index` (clamped into the steps). */
export function stepAt(view: ScatterView, index: number): ScatterStep {
  const steps = view.steps;
  return steps[Math.min(steps.length - 1, Math.max(0, Math.trunc(index) || 0))];
}

/** How many windows are completely folded once step `index` is shown (0 at the GEMM, all at the end). */
export function foldedColumns(view: ScatterView, index: number): number {
  const step = stepAt(view, index);
  if (step.kind === 'done') return view.trace.columns.length;
  return view.trace.columns.filter((col) => col.adds.every((a) => a.order < step.folded)).length;
}
