/**
 * Number formats of the speed lesson's tables, shared by the page and the Markdown export.
 * Missing values print as an em dash.
 */

/** Milliseconds with about three significant digits: `905`, `28.8`, `4.05`, `0.473`; null → `—`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms === 0) return '0';
  const abs = Math.abs(ms);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return ms.toFixed(digits);
}

/** A speed-up factor: `1913×`, `14.2×`, `3.02×`, `0.85×`; null → `—`. */
export function formatSpeedup(factor: number | null | undefined): string {
  if (factor === null || factor === undefined || !Number.isFinite(factor)) return '—';
  const digits = factor >= 100 ? 0 : factor >= 10 ? 1 : 2;
  return `${factor.toFixed(digits)}×`;
}

/** Megabytes (10⁶ bytes) with two decimals: `4.39`. */
export function formatMegabytes(mb: number): string {
  return mb.toFixed(2);
}
