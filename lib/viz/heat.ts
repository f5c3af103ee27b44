import { scaleDiverging, scaleSequential, scaleSequentialSqrt } from 'd3-scale';
import { interpolateBlues, interpolateGreens, interpolateRdBu } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';

/**
 * The site's heat scales and the ink that reads on them, shared by the figures' MatrixGrid and
 * the trainer's confusion matrix.
 */

/** WCAG relative luminance of a CSS colour D3 can parse (0 black … 1 white). */
export function relativeLuminance(color: string): number {
  const { r, g, b } = rgb(color);
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio of two colours (1 … 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((p, q) => q - p);
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever reads better on `fill` (both pass 4.5:1 on either side of the switch). */
export function inkOn(fill: string): '#000' | '#fff' {
  return relativeLuminance(fill) < 0.179 ? '#fff' : '#000';
}

/** How a grid's values are tinted: `signed` red–blue around 0 (gradients), `count` blues from 0 (overlap counts). */
export type GridHeat = 'signed' | 'count';

/**
 * The fill of each value of a grid (rows × cols of numbers) under a heat scale fitted to the
 * grid’s finite values: `signed` is symmetric about 0 (red positive, blue negative), `count`
 * runs from 0 to the largest value (at least 1). Returns a function from value to CSS colour.
 */
export function gridHeatScale(values: readonly (readonly number[])[], heat: GridHeat): (v: number) => string {
  let lo = 0;
  let hi = 0;
  for (const row of values) {
    for (const v of row) {
      if (Number.isFinite(v)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  if (heat === 'signed') {
    const m = Math.max(Math.abs(lo), Math.abs(hi), 1e-9);
    const s = scaleDiverging(interpolateRdBu).domain([m, 0, -m]);
    return (v) => s(v);
  }
  const s = scaleSequential(interpolateBlues).domain([0, Math.max(hi, 1)]);
  return (v) => s(v);
}

const greens = scaleSequentialSqrt(interpolateGreens).domain([0, 1]).clamp(true);

/**
 * The heat-map colours of a share in [0, 1] (a confusion cell's fraction of its row): D3's Greens
 * on a square-root scale, so rare mistakes still show, and the text colour that reads on it.
 * A share of 0 gets no fill (null), so empty cells take the page's background.
 */
export function shareHeatColors(share: number): { fill: string | null; ink: '#000' | '#fff' | null } {
  if (!(share > 0)) return { fill: null, ink: null };
  const fill = rgb(greens(share)).formatHex();
  return { fill, ink: inkOn(fill) };
}
