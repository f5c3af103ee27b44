/**
 * The sentence about the cell the reader points at in the pooling figure (lesson 9): where it comes
 * from and where it goes, read off the view (the engine's and the reference loops' numbers). Pure.
 */
import type { Pointer } from '../figure/mark.ts';
import { formatValue } from '../format.ts';
import { backwardFormula, forwardFormula } from './steps.ts';
import type { PoolView } from './view.ts';
import { cellName } from './view.ts';

const minus = (v: number) => formatValue(v).replace(/^-/, '−');
const signed = (v: number) => (v < 0 ? `(${minus(v)})` : minus(v));
const windows = (list: number[]) => `${list.length === 1 ? 'window' : 'windows'} ${list.map((q) => q + 1).join(', ')}`;

function pixelDetail(view: PoolView, name: 'x' | 'dx', c: number, y: number, x: number): string | null {
  const plane = view.planes[c];
  if (!plane || plane.padding[y]?.[x] === undefined) return null;
  if (plane.padding[y][x]) {
    return view.mode === 'max'
      ? 'A padding position: max pooling skips it (it never wins), and nothing flows back to it.'
      : 'A padding position: it counts as 0 in the mean, and its share of the gradient is dropped.';
  }
  const { ph, pw } = view.example.pool.g;
  const label = cellName(view, name, c, y - ph, x - pw);
  const inside = view.columns
    .filter((col) => col.c === c && col.copies.some((cp) => !cp.padding && cp.y === y && cp.x === x))
    .map((col) => col.q);
  if (name === 'x') {
    const v = plane.input[y][x];
    if (inside.length === 0) return `${label} = ${minus(v)} is in no window: pooling never reads it.`;
    let text = `${label} = ${minus(v)} is in ${windows(inside)}.`;
    if (view.argmax) {
      const argmax = view.argmax;
      const won = inside.filter((q) => view.columns[q].copies[argmax[q]].y === y && view.columns[q].copies[argmax[q]].x === x);
      text += won.length > 0 ? ` It is the max of ${windows(won)}.` : ' It is the max of none.';
    }
    return text;
  }
  const adds = view.backward.map((b) => b.event).filter((e) => e.kind === 'add' && e.c === c && e.y === y - ph && e.x === x - pw);
  if (adds.length === 0)
    return `${label} = 0: ${view.mode === 'max' ? 'this pixel wins no window, so no gradient reaches it' : 'no window reaches this pixel'}.`;
  const total = adds[adds.length - 1].after;
  return `${label} = ${adds.map((e) => signed(e.value)).join(' + ')} = ${minus(total)} (from ${windows(adds.map((e) => e.q))}).`;
}

function entryDetail(view: PoolView, name: 'cols' | 'dcols', r: number, q: number): string | null {
  const col = view.columns[q];
  const cp = col?.copies[r];
  if (!cp) return null;
  const { ph, pw } = view.example.pool.g;
  const wins = view.argmax !== null && view.argmax[q] === r;
  if (name === 'dcols') {
    const v = view.dcols[r][q];
    const to = cp.padding ? 'lands on the padding and is dropped' : `goes to ${cellName(view, 'dx', col.c, cp.y - ph, cp.x - pw)}`;
    const why = view.argmax ? (wins ? 'the max of its column gets all of dy' : 'not the max: 0') : `dy/${col.copies.length}`;
    return `dX_col[${r}][${q}] = ${minus(v)} (${why}); it ${to}.`;
  }
  const from = cp.padding ? 'the zero padding' : cellName(view, 'x', col.c, cp.y - ph, cp.x - pw);
  return `X_col[${r}][${q}] = ${minus(cp.value)}, copied from ${from} (window ${q + 1}, position ${cp.kh},${cp.kw})${wins ? ' — the max of its column' : ''}.`;
}

/** The sentence about the pointed cell (grids `x<c>`, `cols`, `out<c>`, `dy<c>`, `dcols`, `dx<c>`), or null. */
export function poolDetail(view: PoolView, pointer: Pointer | null): string | null {
  if (!pointer) return null;
  const name = pointer.grid.replace(/\d+$/, '');
  const c = Number(pointer.grid.slice(name.length) || 0);
  if (name === 'x' || name === 'dx') return pixelDetail(view, name, c, pointer.r, pointer.c);
  if (name === 'cols' || name === 'dcols') return entryDetail(view, name, pointer.r, pointer.c);
  const { OH, OW } = view.example.pool.g;
  const q = (c * OH + pointer.r) * OW + pointer.c;
  if (!view.columns[q] || pointer.r >= OH || pointer.c >= OW) return null;
  return name === 'out' ? `${forwardFormula(view, q)}.` : name === 'dy' ? `${backwardFormula(view, q)}.` : null;
}
