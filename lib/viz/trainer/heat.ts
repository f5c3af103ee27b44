import { scaleSequentialSqrt } from 'd3-scale';
import { interpolateGreens } from 'd3-scale-chromatic';
import { rgb } from 'd3-color';

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

const greens = scaleSequentialSqrt(interpolateGreens).domain([0, 1]).clamp(true);

/**
 * The heat-map colours of a share in [0, 1] (a confusion cell's fraction of its row): D3's Greens
 * on a square-root scale, so rare mistakes still show, and the text colour that reads on it.
 * A share of 0 gets no fill (null), so empty cells take the page's background.
 */
export function heatColors(share: number): { fill: string | null; ink: '#000' | '#fff' | null } {
  if (!(share > 0)) return { fill: null, ink: null };
  const fill = rgb(greens(share)).formatHex();
  return { fill, ink: inkOn(fill) };
}
