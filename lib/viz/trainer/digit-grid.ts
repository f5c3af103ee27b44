import { ConvConfigError, describeValue } from '../../errors.ts';

/** One test digit in the grid. */
export interface DigitItem {
  /** Index in the test set. */
  readonly index: number;
  readonly truth: number;
  /** The latest prediction, null before the first epoch has ended. */
  readonly predicted: number | null;
  readonly mistake: boolean;
  /** Accessible label: `true 7, predicted 1 (mistake)`, `true 7, predicted 7`, `true 7, not predicted yet`. */
  readonly label: string;
}

/** The grid's items and a caption saying what is shown. */
export interface DigitGrid {
  readonly items: readonly DigitItem[];
  /** Mistakes among all test digits (0 before predictions). */
  readonly mistakes: number;
  readonly caption: string;
}

/** Options for digitGrid. */
export interface DigitGridOptions {
  /** Digits per class in the stratified sample (default 6, so 60 digits for 10 classes). */
  readonly perClass?: number;
  /** Show only misclassified digits (the first `perClass · classes` of them, in test-set order). */
  readonly mistakesOnly?: boolean;
  readonly classes?: number;
}

/** The accessible label of one item (see DigitItem.label). */
export function digitLabel(truth: number, predicted: number | null): string {
  if (predicted === null) return `true ${truth}, not predicted yet`;
  return predicted === truth ? `true ${truth}, predicted ${predicted}` : `true ${truth}, predicted ${predicted} (mistake)`;
}

/**
 * A stratified sample of test digits: the first `perClass` of each class, in test-set order; or,
 * with `mistakesOnly`, the first `perClass · classes` misclassified digits. `predictions` (one per
 * label) may be null before the first epoch's results.
 */
export function digitGrid(labels: ArrayLike<number>, predictions: ArrayLike<number> | null, options: DigitGridOptions = {}): DigitGrid {
  const { perClass = 6, mistakesOnly = false, classes = 10 } = options;
  if (!Number.isInteger(perClass) || perClass < 1) {
    throw new ConvConfigError('perClass', `perClass must be a positive integer, got ${describeValue(perClass)}`);
  }
  if (predictions && predictions.length !== labels.length) {
    throw new ConvConfigError('predictions', `predictions must have one entry per label (${labels.length}), got ${predictions.length}`);
  }
  const limit = perClass * classes;
  const item = (i: number): DigitItem => {
    const truth = labels[i];
    const predicted = predictions ? predictions[i] : null;
    return { index: i, truth, predicted, mistake: predicted !== null && predicted !== truth, label: digitLabel(truth, predicted) };
  };
  let mistakes = 0;
  if (predictions) for (let i = 0; i < labels.length; i++) if (predictions[i] !== labels[i]) mistakes++;

  const items: DigitItem[] = [];
  if (mistakesOnly) {
    if (predictions) {
      for (let i = 0; i < labels.length && items.length < limit; i++) if (predictions[i] !== labels[i]) items.push(item(i));
    }
    const caption = !predictions
      ? 'No predictions yet: mistakes appear after the first epoch.'
      : mistakes === 0
        ? 'No mistakes on the test set.'
        : `The first ${items.length} of ${mistakes} mistakes on the test set.`;
    return { items, mistakes, caption };
  }
  const taken = new Array<number>(classes).fill(0);
  for (let i = 0; i < labels.length && items.length < limit; i++) {
    const c = labels[i];
    if (c >= 0 && c < classes && taken[c] < perClass) {
      taken[c]++;
      items.push(item(i));
    }
  }
  const wrong = items.filter((d) => d.mistake).length;
  const caption = !predictions
    ? `${items.length} test digits, ${perClass} of each class; predictions appear after the first epoch.`
    : `${items.length} test digits, ${perClass} of each class: ${wrong} misclassified here, ${mistakes} in the whole test set.`;
  return { items, mistakes, caption };
}
