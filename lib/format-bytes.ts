const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** An integer exponent in superscript digits: 65 → `⁶⁵`, −3 → `⁻³`. */
export function superscript(exponent: number): string {
  const digits = String(Math.abs(exponent)).replace(/\d/g, (d) => SUPERSCRIPTS[Number(d)]);
  return exponent < 0 ? `⁻${digits}` : digits;
}

/**
 * Bytes in the site's one unit convention, decimal: kB = 10³ bytes, MB = 10⁶, GB = 10⁹, up to EB,
 * with up to two decimals (`4.39 MB`, `512 B`). Beyond 1000 EB: `1.99 × 10⁶⁵ B`; a non-finite
 * count reads "more than any memory".
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'more than any memory';
  let value = bytes;
  let unit = 0;
  while (Number(value.toFixed(2)) >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  if (Number(value.toFixed(2)) >= 1000) {
    const exponent = Math.floor(Math.log10(bytes));
    return `${Number((bytes / 10 ** exponent).toFixed(2))} × 10${superscript(exponent)} B`;
  }
  return `${unit === 0 ? value : Number(value.toFixed(2))} ${UNITS[unit]}`;
}
