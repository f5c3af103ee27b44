import type { StepPoint } from '../../train/protocol.ts';
import { emaSmooth } from './smoothing.ts';

/**
 * The control bar's loss sparkline: the smoothed training loss of the last `window` steps as an
 * SVG path in a `width × height` box, on a log scale (so a spike does not flatten the rest);
 * non-finite losses are skipped. Empty string with fewer than two finite points.
 */
export function lossSparkline(points: readonly StepPoint[], width: number, height: number, window = 300, smoothing = 0.9): string {
  const recent = points.slice(-window);
  const smoothed = emaSmooth(
    recent.map((p) => p.loss),
    smoothing,
  );
  const ys = smoothed.map((v) => (Number.isFinite(v) && v > 0 ? Math.log10(v) : Number.NaN));
  const finite = ys.filter((y) => Number.isFinite(y));
  if (finite.length < 2) return '';
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const span = hi - lo || 1;
  const n = recent.length;
  let d = '';
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(ys[i])) continue;
    const x = n === 1 ? 0 : (i / (n - 1)) * width;
    const y = height - ((ys[i] - lo) / span) * height;
    d += `${d ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`;
  }
  return d;
}
