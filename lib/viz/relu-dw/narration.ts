/**
 * The words of the ReLU-mask-and-dW figure (lesson 6): each step's narration and the equations the
 * lesson quotes, every number read off the view (the reference loops and the engine). Pure.
 */
import { formatValue } from '../format.ts';
import type { ReluDwView } from './view.ts';
import { weightTap, whoText } from './labels.ts';

/** A number as narration prints it: formatValue, with a true minus sign. */
export function num(v: number): string {
  return formatValue(v).replace('-', '−');
}

/** A factor in a product: negative values in parentheses, e.g. `(−2)`. */
function factor(v: number): string {
  return v < 0 ? `(${num(v)})` : num(v);
}

/** At most twelve terms: the first six, `…`, the last two; with the count when shortened. */
function shortSum(terms: string[]): string {
  if (terms.length <= 12) return terms.join(' + ');
  return `${[...terms.slice(0, 6), '…', ...terms.slice(-2)].join(' + ')} (${terms.length} terms)`;
}

/** `dW[f,c,kh,kw]` of weight r of filter f. */
function weightName(view: ReluDwView, f: number, r: number): string {
  const { c, kh, kw } = weightTap(r, view.KH, view.KW);
  return `dW[${f},${c},${kh},${kw}]`;
}

/**
 * The gating of δ_Z cell `k` (flat NCHW), e.g. `δ[0,0] = 1.23 · 0 = 0 (Z = −47 ≤ 0, blocked)`,
 * prefixed by image and filter when N or F exceed 1.
 */
export function deltaEquation(view: ReluDwView, k: number): string {
  const { event } = view.replay.gates[k];
  const prefix = whoText(view.N, view.F, event.n, event.f);
  const why = event.passes ? `Z = ${num(event.z)} > 0, passes` : `Z = ${num(event.z)} ≤ 0, blocked`;
  return `${prefix ? `${prefix}: ` : ''}δ[${event.oh},${event.ow}] = ${factor(event.upstream)} · ${event.passes ? 1 : 0} = ${num(event.delta)} (${why})`;
}

/** The bias gradient of filter f as a sum, e.g. `db[0] = 0 + 3.59 + 4.65 + 0.81 = 9.05` (row f of dY_row). */
export function biasEquation(view: ReluDwView, f: number): string {
  return `db[${f}] = ${shortSum(view.dyRow[f].map(factor))} = ${num(view.db[0][f])}`;
}

/** The gradient of one weight as the loop sums it, δ first, e.g. `dW[0,0,1,1] = 0·10 + 3.59·1 + 4.65·1 + 0.81·1 = 9.05`. */
export function weightEquation(view: ReluDwView, f: number, r: number): string {
  const terms = view.replay.terms[f][r].map((t) => `${factor(t.delta)}·${factor(t.x)}`);
  return `${weightName(view, f, r)} = ${shortSum(terms)} = ${num(view.dwRow[f][r])}`;
}

/** Step 1: the forward pass is done; how many entries the mask lets through. */
export function forwardNarration(view: ReluDwView): string {
  const passing = Array.from(view.mask.data).filter((m) => m > 0).length;
  return (
    `Forward: Z = conv2d(x, w) is [${view.N}, ${view.F}, ${view.OH}, ${view.OW}]; A = ReLU(Z) keeps the positive entries. ` +
    `The mask is 1 where Z > 0: ${passing} of ${view.mask.data.length} entries let the gradient through.`
  );
}

/** A feature map of δ_Z copied into its row of dY_row. */
export function rowsNarration(view: ReluDwView, n: number, f: number): string {
  const from = n * view.P;
  const who = whoText(view.N, view.F, n, f);
  return (
    `dY_row: δ_Z${who ? ` of ${who}` : ''} → row ${f}, columns ${from}…${from + view.P - 1}. ` +
    `With X_col = im2col(x) (${view.R}×${view.Q}), db is the sum of each row and dW = dY_row × X_colᵀ is ${view.F}×${view.R}.`
  );
}

/** One term of the bias sum of filter f. */
export function biasTermNarration(view: ReluDwView, f: number, q: number, sum: number): string {
  return `db[${f}]: sum += dY_row[${f}][${q}] = ${num(view.dyRow[f][q])} → ${num(sum)} (window ${view.windowLabels[q]})`;
}

/** The bias of filter f stored. */
export function biasNarration(view: ReluDwView, f: number): string {
  const { N, P } = view;
  return `${biasEquation(view, f)} — the bias of filter ${f} touches every output of its map, so its gradient is the sum of δ_Z over ${N > 1 ? `${N} images × ` : ''}${P} positions`;
}

/** One term of weight (f, r)'s dot product: window q's δ times the pixel under the weight there. */
export function termNarration(view: ReluDwView, f: number, r: number, t: number): string {
  const term = view.replay.terms[f][r][t];
  const pad = view.colsTPadding[term.q][r] ? ' (padding)' : '';
  return `${weightName(view, f, r)}: sum += δ·x = ${factor(term.delta)}·${factor(term.x)}${pad} = ${num(term.product)} → ${num(term.running)} (window ${view.windowLabels[term.q]})`;
}

/** Weight (f, r) stored. */
export function storeNarration(view: ReluDwView, f: number, r: number): string {
  return `${weightEquation(view, f, r)} — row ${f} of dY_row · column ${r} of X_colᵀ (the pixel under weight ${view.weightLabels[r]} in every window)`;
}

/** The last step: the loops' results against the engine's reluBackward and conv2dBackward. */
export function doneNarration(view: ReluDwView): string {
  const { F, C, KH, KW, R } = view;
  const dwText = view.dw
    .map((p) => `${F * C > 1 ? `${p.label}: ` : ''}${p.grid.map((row) => row.map(num).join(' ')).join(' / ')}`)
    .join('; ');
  return view.matchesEngine
    ? `dW_row (${F}×${R}) read as [${F}, ${C}, ${KH}, ${KW}] is dW = ${dwText} — δ_Z, db and dW equal, entry for entry, the engine's reluBackward and conv2dBackward(δ_Z, x, w)`
    : `The loops' δ_Z, db or dW differ from the engine's reluBackward and conv2dBackward(δ_Z, x, w) — this is a bug in the engine`;
}
