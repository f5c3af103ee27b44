/**
 * Names and index arithmetic of the ReLU-mask-and-dW figure (lesson 6): what each grid, row and
 * column is called, which kernel tap a column of X_colᵀ is, and where an edited cell's value sits
 * in the settings' value lists. Pure.
 */
import { planeIndex } from '../figure/plane.ts';
import type { ReluDwView } from './view.ts';

/** Weight r of a filter (column r of X_colᵀ, `r = (c·KH + kh)·KW + kw`) as its kernel tap. */
export function weightTap(r: number, KH: number, KW: number): { c: number; kh: number; kw: number } {
  return { c: Math.floor(r / (KH * KW)), kh: Math.floor(r / KW) % KH, kw: r % KW };
}

/** Window q (row q of X_colᵀ, `q = (n·OH + oh)·OW + ow`) as image and output position. */
export function windowPosition(q: number, OH: number, OW: number): { n: number; oh: number; ow: number } {
  const P = OH * OW;
  const p = q % P;
  return { n: Math.floor(q / P), oh: Math.floor(p / OW), ow: p % OW };
}

/** Label of weight r (column r of X_colᵀ): `kh,kw`, prefixed by `c:` when C > 1. */
export function weightLabel(r: number, C: number, KH: number, KW: number): string {
  const { c, kh, kw } = weightTap(r, KH, KW);
  return C > 1 ? `${c}:${kh},${kw}` : `${kh},${kw}`;
}

/** Label of window q (row q of X_colᵀ): `oh,ow`, prefixed by `n:` when N > 1. */
export function windowLabel(q: number, N: number, OH: number, OW: number): string {
  const { n, oh, ow } = windowPosition(q, OH, OW);
  return N > 1 ? `${n}:${oh},${ow}` : `${oh},${ow}`;
}

/** `image n, filter f`, each part only when there are several; '' for N = F = 1. */
export function whoText(N: number, F: number, n: number, f: number): string {
  return [N > 1 ? `image ${n}` : '', F > 1 ? `filter ${f}` : ''].filter((s) => s !== '').join(', ');
}

/** The captions of one output plane's grids (Z, ReLU(Z), mask, ∂L/∂A, δ_Z), with ` [n, f]` when there are several planes. */
export function mapLabels(view: ReluDwView, map: number): { z: string; a: string; mask: string; upstream: string; delta: string } {
  const m = view.maps[map];
  const suffix = view.maps.length > 1 ? ` [${m.n}, ${m.f}]` : '';
  return { z: `Z${suffix}`, a: `ReLU(Z)${suffix}`, mask: `mask${suffix}`, upstream: `∂L/∂A${suffix}`, delta: `δ_Z${suffix}` };
}

/** Flat NCHW index into x of cell (r, c) of padded input panel `panel`, or null for a padding cell. */
export function inputValueIndex(view: ReluDwView, panel: number, r: number, c: number): number | null {
  const p = view.inputs[panel];
  if (!p || p.padding[r]?.[c] !== false) return null;
  return planeIndex(p.plane, r - view.ph, c - view.pw);
}
