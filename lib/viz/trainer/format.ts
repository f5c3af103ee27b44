/**
 * Text for the trainer's readouts: percentages, losses, speeds, durations. Every formatter turns
 * a missing value (null, NaN where it means "not measured") into an em dash, never into "NaN".
 */

/** Shown for a value that does not exist yet (before the first step or epoch). */
export const MISSING = '—';

/** A fraction in [0, 1] as a percentage with `digits` decimals: 0.9734 → `97.3%`; null → `—`. */
export function formatPercent(fraction: number | null, digits = 1): string {
  if (fraction === null || !Number.isFinite(fraction)) return MISSING;
  return `${(fraction * 100).toFixed(digits)}%`;
}

/**
 * A loss with 3 decimals (`0.123`), in scientific notation from 10,000 on (`4.71e+15`) so a blown-up
 * loss stays short; null → `—`; NaN → `not a number`; ±∞ → `infinite`, so a fault reads as words.
 */
export function formatLoss(loss: number | null): string {
  if (loss === null) return MISSING;
  if (Number.isNaN(loss)) return 'not a number';
  if (!Number.isFinite(loss)) return 'infinite';
  return Math.abs(loss) >= 1e4 ? loss.toExponential(2) : loss.toFixed(3);
}

/** Images per second as a whole number without separators (`212`, `6034`); null or ≤ 0 → `—`. */
export function formatRate(perSecond: number | null): string {
  if (perSecond === null || !Number.isFinite(perSecond) || perSecond <= 0) return MISSING;
  return String(Math.round(perSecond));
}

/**
 * A duration in seconds, rounded up to the second: `7 s`, `3 min 05 s`, `1 h 02 min`;
 * null or negative → `—`.
 */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return MISSING;
  const s = Math.ceil(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** The ETA beside the epoch progress bar: `about 42 s left in this epoch`, or `estimating…`. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return 'estimating time left…';
  return `about ${formatDuration(seconds)} left in this epoch`;
}

/** An integer with thousands separators: 60000 → `60,000`. */
export function formatInteger(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A time of day for "saved at" notes, `14:05:09`, in the reader's locale-independent 24-hour form. */
export function formatClock(date: Date): string {
  const two = (v: number) => String(v).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}
