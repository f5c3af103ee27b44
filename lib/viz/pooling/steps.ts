/**
 * The steps of the pooling figure (lesson 9) and their narration: one per statement of the
 * reference loops (lib/reference/pool-loops.ts) in their order — the im2col, each window position
 * read (skipped, compared or summed), each output stored; then per window the routing of its dy
 * into dX_col and each add of col2im (or the dropped padding share) — and a last step comparing dx
 * with the engine's backward op. Pure.
 */
import type { PoolLoopEvent } from '../../reference/pool-loops.ts';
import type { FigureStep } from '../figure/spec.ts';
import { formatValue } from '../format.ts';
import type { PoolEvent, PoolView } from './view.ts';
import { cellName } from './view.ts';

/** Which code panel a step shows: the forward or the backward loop of the mode. */
export type PoolCode = 'maxForward' | 'avgForward' | 'maxBackward' | 'avgBackward';

/** One step: the replayed statement, how far the loops are, its narration and cursor. */
export interface PoolStep extends FigureStep {
  phase: 'forward' | 'backward';
  kind: PoolLoopEvent['kind'] | 'done';
  /** The statement this step replays (null on the last step). */
  event: PoolLoopEvent | null;
  /** Outputs stored and dX_col columns routed once this step has run. */
  stored: number;
  routed: number;
  /** Backward statements replayed once this step has run (a prefix of view.backward). */
  replayed: number;
  code: PoolCode;
}

const minus = (v: number) => formatValue(v).replace(/^-/, '−');
const signed = (v: number) => (v < 0 ? `(${minus(v)})` : minus(v));
const plural = (k: number, one: string, many: string) => `${k} ${k === 1 ? one : many}`;

/** The input pixel name of a padded position `(yp, xp)` of channel c, e.g. `x[0,3]`. */
function pixel(view: PoolView, name: string, c: number, yp: number, xp: number): string {
  const { ph, pw } = view.example.pool.g;
  return cellName(view, name, c, yp - ph, xp - pw);
}

/** `out[0,1] = max(3, 7, 2, 5) = 7` or `out[0,1] = (3 + 7 + 2 + 5)/4 = 4.25`: one window's reduction. */
export function forwardFormula(view: PoolView, q: number): string {
  const col = view.columns[q];
  const out = cellName(view, 'out', col.c, col.oh, col.ow);
  const value = minus(view.y.data[q]);
  if (view.mode === 'max')
    return `${out} = max(${col.copies
      .filter((cp) => !cp.padding)
      .map((cp) => minus(cp.value))
      .join(', ')}) = ${value}`;
  return `${out} = (${col.copies.map((cp) => signed(cp.value)).join(' + ')})/${col.copies.length} = ${value}`;
}

/** `dy[0,1] = 2 → dx[0,3]` (max) or `dy[0,1] = 2 → 2/4 = 0.5 to each of the 4 positions` (average). */
export function backwardFormula(view: PoolView, q: number): string {
  const col = view.columns[q];
  const dy = `${cellName(view, 'dy', col.c, col.oh, col.ow)} = ${minus(view.example.dy.data[q])}`;
  if (view.argmax) {
    const win = col.copies[view.argmax[q]];
    return `${dy} → ${pixel(view, 'dx', col.c, win.y, win.x)} (the max of its window)`;
  }
  return `${dy} → ${minus(view.example.dy.data[q])}/${col.copies.length} = ${minus(view.dcols[0][q])} to each of the ${col.copies.length} positions of its window`;
}

function windowName(view: PoolView, e: PoolLoopEvent): string {
  return `Window ${e.q + 1} of ${view.columns.length} (${cellName(view, 'out', e.c, e.oh, e.ow)}), position ${e.kh},${e.kw}`;
}

function forwardText(view: PoolView, e: PoolLoopEvent, bestBefore: number, argBefore: number): string {
  const max = view.mode === 'max';
  const R = view.cols.length;
  const Q = view.columns.length;
  const [, C, H, W] = view.example.pool.xShape;
  switch (e.kind) {
    case 'im2col':
      return (
        `im2col, one channel at a time: ${C === 1 ? `x (${H} × ${W}) is read as a one-channel image` : `the ${C} channels of x (${H} × ${W} each) are read as ${C} one-channel images`}, ` +
        `so each window becomes a column of X_col (${R} × ${Q}). ${max ? 'Max pooling scans each column for its largest entry.' : `Average pooling sums each column and divides by ${R}.`}`
      );
    case 'skip':
      return `${windowName(view, e)}: in the padding, skipped — padding never wins.`;
    case 'compare': {
      const at = cellName(view, 'x', e.c, e.y, e.x);
      if (argBefore < 0) return `${windowName(view, e)}: ${at} = ${minus(e.value)}, the first real pixel: the max so far.`;
      return e.arg !== argBefore
        ? `${windowName(view, e)}: ${at} = ${minus(e.value)} > ${minus(bestBefore)}: the new max (row ${e.r}).`
        : `${windowName(view, e)}: ${at} = ${minus(e.value)} ≤ ${minus(bestBefore)}: the max stays ${minus(e.best)} (row ${e.arg}).`;
    }
    case 'sum':
      return `${windowName(view, e)}: sum = ${minus(bestBefore)} + ${signed(e.value)} = ${minus(e.best)}${view.colsPadding[e.r][e.q] ? ' (a padding zero counts)' : ''}.`;
    default: {
      const col = view.columns[e.q];
      if (!max) return `${forwardFormula(view, e.q)}: the sum ${minus(e.best)} divided by ${R}.`;
      const win = col.copies[e.arg];
      return `${forwardFormula(view, e.q)}, from row ${e.arg} (window position ${win.kh},${win.kw}), pixel ${pixel(view, 'x', col.c, win.y, win.x)}.`;
    }
  }
}

function backwardText(view: PoolView, e: PoolLoopEvent): string {
  const Q = view.columns.length;
  const col = view.columns[e.q];
  const dy = `${cellName(view, 'dy', col.c, col.oh, col.ow)} = ${minus(view.example.dy.data[e.q])}`;
  if (e.kind === 'route') {
    const head = `Backward, window ${e.q + 1} of ${Q}: `;
    if (view.mode === 'max') {
      return `${head}${dy} goes whole to row ${e.r} of column ${e.q} of dX_col — the "switch" the forward pass recorded (the max of its window); the other ${plural(view.cols.length - 1, 'row gets', 'rows get')} 0.`;
    }
    return `${head}${dy} is shared evenly: ${minus(view.example.dy.data[e.q])}/${view.cols.length} = ${minus(e.value)} in every row of column ${e.q} of dX_col.`;
  }
  if (e.kind === 'drop')
    return `Position ${e.kh},${e.kw} of window ${e.q + 1} lies in the padding: its share ${minus(e.value)} is dropped.`;
  const to = cellName(view, 'dx', e.c, e.y, e.x);
  const again = e.before !== 0 ? ' — this pixel already had gradient from an earlier window, so they add' : '';
  return `col2im: row ${e.r} of column ${e.q} goes back to ${to}: ${minus(e.before)} + ${signed(e.value)} = ${minus(e.after)}${again}.`;
}

/**
 * The line about the check: before the end, what it will compare; at the end,
 * `dx matches maxPool2dBackward(…) ✓` (or ✗ with the count, should they ever differ).
 */
export function checkText(view: PoolView, done: boolean): string {
  if (!done) return `At the last step dx is compared with ${view.referenceCall}.`;
  return view.matching === view.pixels
    ? `dx matches ${view.referenceCall} ✓ (all ${view.pixels} values, bit for bit).`
    : `dx differs from ${view.referenceCall} ✗ (${view.matching} of ${view.pixels} values equal).`;
}

function doneText(view: PoolView): string {
  const wins = new Map<string, number>();
  for (const { event: e } of view.backward)
    if (e.kind === 'add') wins.set(`${e.c},${e.y},${e.x}`, (wins.get(`${e.c},${e.y},${e.x}`) ?? 0) + 1);
  const top = Math.max(0, ...wins.values());
  let note: string;
  if (view.mode === 'max') {
    note =
      top > 1
        ? `A pixel that won several overlapping windows collected the sum of their gradients (up to ${top}); pixels that never won keep 0.`
        : 'Every winner won one window only, so nothing was summed; pixels that never won keep 0.';
  } else {
    note =
      top > 1
        ? `Pixels inside several windows collected one share from each (up to ${top}).`
        : 'No two windows overlap, so col2im only placed the shares: nothing was summed.';
  }
  return `dx is complete. ${note} ${checkText(view, true)}`;
}

/** The steps of a view (see the module doc); the forward steps show the forward loop, the rest the backward one. */
export function poolSteps(view: PoolView): PoolStep[] {
  const steps: PoolStep[] = [];
  let stored = 0;
  let routed = 0;
  let best = 0;
  let arg = -1;
  const forwardCode: PoolCode = view.mode === 'max' ? 'maxForward' : 'avgForward';
  const backwardCode: PoolCode = view.mode === 'max' ? 'maxBackward' : 'avgBackward';
  for (const { cursor, event: e } of view.forward) {
    if (e.kind === 'store') stored += 1;
    const narration = forwardText(view, e, best, arg);
    if (e.kind === 'store' || e.kind === 'im2col') {
      best = 0;
      arg = -1;
    } else {
      best = e.best;
      arg = e.arg;
    }
    steps.push({ phase: 'forward', kind: e.kind, event: e, stored, routed, replayed: 0, code: forwardCode, narration, cursor });
  }
  view.backward.forEach(({ cursor, event: e }: PoolEvent, k) => {
    if (e.kind === 'route') routed += 1;
    steps.push({
      phase: 'backward',
      kind: e.kind,
      event: e,
      stored,
      routed,
      replayed: k + 1,
      code: backwardCode,
      narration: backwardText(view, e),
      cursor,
    });
  });
  steps.push({
    phase: 'backward',
    kind: 'done',
    event: null,
    stored,
    routed,
    replayed: view.backward.length,
    code: backwardCode,
    narration: doneText(view),
    cursor: { mark: 'done', vars: [] },
  });
  return steps;
}

/** Index of the first backward step (the "Backward pass" button's target). */
export function backwardStart(steps: readonly PoolStep[]): number {
  return steps.findIndex((s) => s.phase === 'backward');
}
