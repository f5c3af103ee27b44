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
  /**
   * Of each class's `perClass` places, how many go to that class's first mistakes when the plain
   * sample would show fewer (default 1), so the grid shows some mistakes as soon as there are any.
   */
  readonly mistakeSlots?: number;
}

/** The accessible label of one item (see DigitItem.label). */
export function digitLabel(truth: number, predicted: number | null): string {
  if (predicted === null) return `true ${truth}, not predicted yet`;
  return predicted === truth ? `true ${truth}, predicted ${predicted}` : `true ${truth}, predicted ${predicted} (mistake)`;
}

/**
 * A stratified sample of test digits: the first `perClass` of each class, in test-set order, with
 * up to `mistakeSlots` of each class's places given to its first mistakes when the first digits
 * hold fewer; or, with `mistakesOnly`, the first `perClass · classes` misclassified digits.
 * `predictions` (one per label) may be null before the first results.
 */
export function digitGrid(labels: ArrayLike<number>, predictions: ArrayLike<number> | null, options: DigitGridOptions = {}): DigitGrid {
  const { perClass = 6, mistakesOnly = false, classes = 10, mistakeSlots = 1 } = options;
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
      ? 'No predictions yet: mistakes appear after the first quick check (100 steps).'
      : mistakes === 0
        ? 'No mistakes on the test set.'
        : `The first ${items.length} of ${mistakes} mistakes on the test set.`;
    return { items, mistakes, caption };
  }
  const perClassItems: DigitItem[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (c >= 0 && c < classes && perClassItems[c].length < perClass) perClassItems[c].push(item(i));
  }
  if (predictions && mistakeSlots > 0) {
    // Each class: if its first digits hold fewer than mistakeSlots mistakes, its last places go to its first other mistakes.
    for (let c = 0; c < classes; c++) {
      const shown = perClassItems[c];
      let missing = Math.min(mistakeSlots, perClass) - shown.filter((d) => d.mistake).length;
      const seen = new Set(shown.map((d) => d.index));
      for (let i = 0; i < labels.length && missing > 0; i++) {
        if (labels[i] !== c || predictions[i] === c || seen.has(i)) continue;
        const k = shown.findLastIndex((d) => !d.mistake);
        if (k < 0) break;
        shown[k] = item(i);
        missing--;
      }
      shown.sort((a, b) => a.index - b.index);
    }
  }
  for (const group of perClassItems) items.push(...group);
  items.sort((a, b) => a.index - b.index);
  const wrong = items.filter((d) => d.mistake).length;
  const caption = !predictions
    ? `${items.length} test digits, ${perClass} of each class; predictions appear after the first quick check (100 steps).`
    : `${items.length} test digits, ${perClass} of each class: ${wrong} misclassified here, ${mistakes} in the whole test set.`;
  return { items, mistakes, caption };
}
