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

/** Bytes in a readable unit (B, KB, MB, GB; powers of 1024), e.g. `4.19 MB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : Number(v.toFixed(2))} ${units[u]}`;
}
