import { ConvConfigError, describeValue } from '../../errors.ts';

/** Counts of (true class, predicted class) pairs over a test set. */
export interface ConfusionMatrix {
  readonly classes: number;
  /** `counts[t][p]`: test digits of true class t predicted as p. */
  readonly counts: readonly (readonly number[])[];
  /** Digits per true class (row sums). */
  readonly rowTotals: readonly number[];
  /** Predictions per class (column sums). */
  readonly colTotals: readonly number[];
  /** The diagonal's sum. */
  readonly correct: number;
  readonly total: number;
  /** correct / total (0 for an empty set). */
  readonly accuracy: number;
}

function checkClasses(name: string, values: ArrayLike<number>, classes: number): void {
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new ConvConfigError(name, `${name}[${k}] must be an integer class in [0, ${classes}), got ${describeValue(v)}`);
    }
  }
}

/**
 * Counts predictions against labels: `counts[labels[i]][predictions[i]] += 1` for every i. Both
 * arrays must have the same length and hold integers in [0, classes).
 */
export function confusionMatrix(predictions: ArrayLike<number>, labels: ArrayLike<number>, classes = 10): ConfusionMatrix {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new ConvConfigError('classes', `classes must be a positive integer, got ${describeValue(classes)}`);
  }
  if (predictions.length !== labels.length) {
    throw new ConvConfigError('predictions', `predictions must have one entry per label (${labels.length}), got ${predictions.length}`);
  }
  checkClasses('predictions', predictions, classes);
  checkClasses('labels', labels, classes);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) counts[labels[i]][predictions[i]]++;
  const rowTotals = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const colTotals = counts[0].map((_, p) => counts.reduce((a, row) => a + row[p], 0));
  let correct = 0;
  for (let c = 0; c < classes; c++) correct += counts[c][c];
  const total = labels.length;
  return { classes, counts, rowTotals, colTotals, correct, total, accuracy: total ? correct / total : 0 };
}

/** One cell of the heat map table. */
export interface ConfusionCell {
  readonly truth: number;
  readonly predicted: number;
  readonly count: number;
  /** count / digits of this true class (0 for an empty row): the heat, in [0, 1]. */
  readonly share: number;
  readonly diagonal: boolean;
  /** True when the cell's background is dark enough to need light text (share > 0.5). */
  readonly lightText: boolean;
}

/**
 * The table's cells, row by row (true class), with each count's share of its row as the heat, so a
 * class with few test digits is not washed out.
 */
export function confusionCells(matrix: ConfusionMatrix): ConfusionCell[][] {
  return matrix.counts.map((row, t) =>
    row.map((count, p) => {
      const share = matrix.rowTotals[t] ? count / matrix.rowTotals[t] : 0;
      return { truth: t, predicted: p, count, share, diagonal: t === p, lightText: share > 0.5 };
    }),
  );
}

/**
 * The most frequent mistake `{ truth, predicted, count }` (first in row-major order on ties),
 * or null when every digit is right.
 */
export function topConfusion(matrix: ConfusionMatrix): { truth: number; predicted: number; count: number } | null {
  let best: { truth: number; predicted: number; count: number } | null = null;
  matrix.counts.forEach((row, t) =>
    row.forEach((count, p) => {
      if (t !== p && count > 0 && (!best || count > best.count)) best = { truth: t, predicted: p, count };
    }),
  );
  return best;
}
