import type { StepPoint } from '../../train/protocol.ts';
import { ConvConfigError, describeValue } from '../../errors.ts';
import { emaSmooth } from './smoothing.ts';
import { formatLoss, formatPercent } from './format.ts';

/** A point of a chart series in data units: x in epochs, y a loss or an accuracy in [0, 1]. */
export interface XY {
  readonly x: number;
  readonly y: number;
}

/** The test accuracy measured at the end of an epoch (1-based); its mean loss and global step when known. */
export interface EpochAccuracy {
  readonly epoch: number;
  readonly accuracy: number;
  readonly loss?: number;
  readonly step?: number;
}

/** A quick check on the validation slice: at `step` (fractional `epoch`), mean loss and accuracy on `count` test digits. */
export interface ValidationPoint {
  readonly step: number;
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly count: number;
}

/** What the loss-and-accuracy chart draws, in data units (the component maps them with D3 scales). */
export interface TrainingChart {
  /** Smoothed training loss against fractional epoch, thinned to at most `maxPoints`. */
  readonly loss: readonly XY[];
  /** The raw per-step loss, thinned the same way (drawn faintly behind the smoothed curve). */
  readonly rawLoss: readonly XY[];
  /** Smoothed batch accuracy. */
  readonly accuracy: readonly XY[];
  /** Test accuracy per finished epoch, at x = epoch. */
  readonly testAccuracy: readonly XY[];
  /** Validation-slice loss and accuracy at each quick check (x in epochs). */
  readonly validationLoss: readonly XY[];
  readonly validationAccuracy: readonly XY[];
  /**
   * `[lo, hi]` for a log-scaled loss axis: a power of ten at or below the smallest positive loss
   * shown (at least 10⁻³) and one at or above the largest, so a spike to 10¹⁷ keeps the rest readable.
   */
  readonly logLossDomain: readonly [number, number];
  /** `[0, max(epochs, last x)]`. */
  readonly xDomain: readonly [number, number];
  /** `[0, top]` with top the largest smoothed or raw loss shown, at least 0.5. */
  readonly lossDomain: readonly [number, number];
  /** Always `[0, 1]`. */
  readonly accuracyDomain: readonly [number, number];
  /** The latest smoothed loss and batch accuracy, and the last test accuracy (null before any). */
  readonly latest: { readonly loss: number | null; readonly accuracy: number | null; readonly testAccuracy: number | null };
  /** One sentence for the chart's aria-label. */
  readonly summary: string;
}

/** Options for buildTrainingChart. */
export interface ChartOptions {
  /** Planned epochs, fixes the x axis's right end. */
  readonly epochs: number;
  /** EMA weight for the curves (default 0.9). */
  readonly smoothing?: number;
  /** Most points drawn per series (default 400); longer series keep every k-th point and the last. */
  readonly maxPoints?: number;
  /** The quick checks on the validation slice (default none). */
  readonly validation?: readonly ValidationPoint[];
}

/**
 * Indices `0, k, 2k, …` plus the last index, with `k = ceil(n / maxPoints)`, so at most
 * `maxPoints + 1` points are drawn however long the run.
 */
export function thinIndices(n: number, maxPoints: number): number[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new ConvConfigError('maxPoints', `maxPoints must be an integer ≥ 2, got ${describeValue(maxPoints)}`);
  }
  if (n <= 0) return [];
  const k = Math.max(1, Math.ceil(n / maxPoints));
  const out: number[] = [];
  for (let i = 0; i < n; i += k) out.push(i);
  if (out[out.length - 1] !== n - 1) out.push(n - 1);
  return out;
}

/**
 * The chart's series and domains from every recorded step and the per-epoch test accuracies.
 * Non-finite losses are left out of the curves (and the domain) rather than breaking them.
 */
export function buildTrainingChart(points: readonly StepPoint[], tests: readonly EpochAccuracy[], options: ChartOptions): TrainingChart {
  const { epochs, smoothing = 0.9, maxPoints = 400 } = options;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new ConvConfigError('epochs', `epochs must be a positive integer, got ${describeValue(epochs)}`);
  }
  const losses = emaSmooth(
    points.map((p) => p.loss),
    smoothing,
  );
  const accs = emaSmooth(
    points.map((p) => p.accuracy),
    smoothing,
  );
  const keep = thinIndices(points.length, maxPoints);
  const loss: XY[] = [];
  const rawLoss: XY[] = [];
  const accuracy: XY[] = [];
  let top = 0;
  for (const i of keep) {
    const x = points[i].epoch;
    if (Number.isFinite(losses[i])) {
      loss.push({ x, y: losses[i] });
      top = Math.max(top, losses[i]);
    }
    if (Number.isFinite(points[i].loss)) rawLoss.push({ x, y: points[i].loss });
    if (Number.isFinite(accs[i])) accuracy.push({ x, y: accs[i] });
  }
  for (const p of rawLoss) top = Math.max(top, p.y);
  const testAccuracy = tests.map((t) => ({ x: t.epoch, y: t.accuracy }));
  const valid = options.validation ?? [];
  const validationLoss = valid.filter((v) => Number.isFinite(v.loss)).map((v) => ({ x: v.epoch, y: v.loss }));
  const validationAccuracy = valid.map((v) => ({ x: v.epoch, y: v.accuracy }));
  const positive = [...loss, ...rawLoss, ...validationLoss].map((p) => p.y).filter((y) => y > 0);
  const lo = Math.max(1e-3, 10 ** Math.floor(Math.log10(positive.length ? Math.min(...positive) : 0.1)));
  const hi = Math.max(lo * 10, 10 ** Math.ceil(Math.log10(positive.length ? Math.max(...positive) : 1)));
  const lastX = Math.max(
    points.length ? points[points.length - 1].epoch : 0,
    tests.length ? tests[tests.length - 1].epoch : 0,
    valid.length ? valid[valid.length - 1].epoch : 0,
  );
  const n = points.length;
  const latest = {
    loss: n && Number.isFinite(losses[n - 1]) ? losses[n - 1] : null,
    accuracy: n && Number.isFinite(accs[n - 1]) ? accs[n - 1] : null,
    testAccuracy: tests.length ? tests[tests.length - 1].accuracy : null,
  };
  return {
    loss,
    rawLoss,
    accuracy,
    testAccuracy,
    validationLoss,
    validationAccuracy,
    logLossDomain: [lo, hi],
    xDomain: [0, Math.max(epochs, lastX)],
    lossDomain: [0, Math.max(0.5, top)],
    accuracyDomain: [0, 1],
    latest,
    summary: chartSummary(points, tests, latest),
  };
}

function chartSummary(points: readonly StepPoint[], tests: readonly EpochAccuracy[], latest: TrainingChart['latest']): string {
  if (points.length === 0 && tests.length === 0) return 'Loss and accuracy chart: no training steps yet.';
  const parts: string[] = [];
  if (points.length) {
    const last = points[points.length - 1];
    parts.push(`after step ${last.step} (epoch ${last.epoch.toFixed(2)})`);
    parts.push(`smoothed training loss ${formatLoss(latest.loss)}`);
    parts.push(`smoothed batch accuracy ${formatPercent(latest.accuracy)}`);
  }
  if (tests.length) {
    const t = tests[tests.length - 1];
    parts.push(`test accuracy ${formatPercent(t.accuracy)} after epoch ${t.epoch}`);
  } else {
    parts.push('no test accuracy yet');
  }
  return `Loss and accuracy chart: ${parts.join(', ')}.`;
}
