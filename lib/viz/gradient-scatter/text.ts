/**
 * The words and numbers of the gradient scatter as the figure prints them: minus signs, sizes,
 * pixel names, one fold's add, the GEMM terms of a dX_col entry and a pixel's summed shares.
 */
import type { ConvGeometry } from '../../geometry.ts';
import type { Tensor } from '../../tensor.ts';
import type { ScatterAdd } from '../../im2col/col2im.ts';
import { gemmCellTerms } from '../../trace/gemm-trace.ts';
import { formatProduct, formatValue } from '../format.ts';
import type { FoldAdd, ScatterView } from './view.ts';

/** A value with the minus sign −. */
export const minus = (v: number) => formatValue(v).replace(/^-/, '−');
/** A value with the minus sign −, in parentheses when negative (a term of a sum). */
export const signed = (v: number) => (v < 0 ? `(${minus(v)})` : minus(v));

/** "3 × 4", the way sizes read in the figure. */
export function dims(a: number, b: number): string {
  return `${a} × ${b}`;
}

/** `dx[y,x]`, `dx[c,y,x]` (C > 1) or `dx[n,c,y,x]` (N > 1), in unpadded coordinates. */
export function pixelName(g: ConvGeometry, n: number, c: number, y: number, x: number): string {
  const coords = [y, x].map(minus);
  if (g.C > 1 || g.N > 1) coords.unshift(String(c));
  if (g.N > 1) coords.unshift(String(n));
  return `dx[${coords.join(',')}]`;
}

/** One add as the step lists it: `dx[1,1]: 13 + 10 = 23`, or `padding at [−1,0]: 7 dropped`. */
export function addText(g: ConvGeometry, add: ScatterAdd): string {
  const y = add.y - g.ph;
  const x = add.x - g.pw;
  if (add.dropped) {
    const where = [y, x].map(minus).join(',');
    return `padding at [${where}]${g.C > 1 ? ` (channel ${add.c})` : ''}: ${minus(add.value)} dropped`;
  }
  return `${pixelName(g, add.n, add.c, y, x)}: ${minus(add.before)} + ${signed(add.value)} = ${minus(add.after)}`;
}

/** `2`, or `[1, 2]` when the two axes differ. */
export function pairText(a: number, b: number): string {
  return a === b ? String(a) : `[${a}, ${b}]`;
}

/** W_row transposed, `[C·KH·KW, F]`: a copy in the other order, so a dX_col entry's terms can be listed. */
export function transposed(t: Tensor): Tensor {
  const [rows, cols] = t.shape;
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = t.data[i * cols + j];
  return { shape: [cols, rows], data: out };
}

/** `dX_col[r][q] = 10·1 + 14·5 = 80`: the GEMM terms of one entry (gemmCellTerms on W_rowᵀ, dY_row). */
export function dcolsTerms(view: ScatterView, r: number, q: number): string {
  const step = gemmCellTerms(transposed(view.wRow), view.dyRow, r, q);
  const terms = step.terms.map((t) => formatProduct(t.a, t.b).replace(/-/g, '−')).join(' + ');
  return `dX_col[${r}][${q}] = ${terms} = ${minus(step.sum)}`;
}

/** `a, b and c`. */
export function joinAnd(parts: string[]): string {
  return parts.length <= 1 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The adds that land on padded pixel `(y, x)` of image `n`, channel `c` (dropped ones left out), in the loops' order. */
export function pixelAdds(view: ScatterView, n: number, c: number, y: number, x: number): FoldAdd[] {
  return view.trace.steps.filter((a) => !a.dropped && a.n === n && a.c === c && a.y === y && a.x === x);
}

/** `dx[1,1] = 13 + 22 + 36 + 52 = 123`: a pixel's shares (its adds, non-empty) and the loops' total. */
export function pixelSumText(g: ConvGeometry, adds: readonly FoldAdd[]): string {
  const a = adds[0];
  const name = pixelName(g, a.n, a.c, a.y - g.ph, a.x - g.pw);
  return `${name} = ${adds.map((s) => signed(s.value)).join(' + ')} = ${minus(adds[adds.length - 1].after)}`;
}
