import { superscript } from '../format-bytes.ts';

/**
 * Number formatting for cells and narration: integers as they are, other values with up to
 * `digits` decimals and no trailing zeros; −0 prints as 0.
 */
export function formatValue(value: number, digits = 3): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (Object.is(value, -0) || Math.abs(value) < 0.5 * 10 ** -digits) return '0';
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(digits)));
}

/** A product term as it is read aloud or shown: `4·10`, with negative factors in parentheses. */
export function formatProduct(a: number, b: number): string {
  const f = (v: number) => (v < 0 ? `(${formatValue(v)})` : formatValue(v));
  return `${f(a)}·${f(b)}`;
}

export { formatBytes } from '../format-bytes.ts';

/**
 * An integer with its digits in groups of three, joined by `separator` (a thin space in text,
 * `\\,` in TeX): `4392300` → `4 392 300`. Numbers beyond 10²¹ (where JavaScript prints an
 * exponent) read `1.99 × 10⁶⁵`, never with separators inside the exponent.
 */
export function groupDigitsWith(n: number, separator: string): string {
  if (!Number.isFinite(n)) return n > 0 ? '∞' : n < 0 ? '−∞' : 'NaN';
  if (Math.abs(n) >= 1e21) {
    const exponent = Math.floor(Math.log10(Math.abs(n)));
    return `${Number((n / 10 ** exponent).toFixed(2))} × 10${superscript(exponent)}`;
  }
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
}
