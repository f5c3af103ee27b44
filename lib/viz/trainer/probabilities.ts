import type { ModelPreset, Param } from '../../train/model.ts';
import { forward } from '../../train/model.ts';
import { ConvConfigError, describeValue } from '../../errors.ts';
import { formatPercent } from './format.ts';

/** One bar of the class-probability chart. */
export interface ProbabilityBar {
  readonly digit: number;
  readonly probability: number;
  /** `7: 93.1%`. */
  readonly text: string;
  /** The most probable class. */
  readonly best: boolean;
}

/** The network's reading of one image. */
export interface ClassProbabilities {
  readonly bars: readonly ProbabilityBar[];
  readonly best: number;
  /** `The network reads a 7 (93.1%).`, `… reads an 8 …`. */
  readonly summary: string;
}

/** Softmax of one row of logits, stable (the max is subtracted), in float64. */
export function softmax(logits: ArrayLike<number>): number[] {
  if (logits.length === 0) throw new ConvConfigError('logits', 'logits must not be empty');
  let max = -Infinity;
  for (let k = 0; k < logits.length; k++) {
    if (!Number.isFinite(logits[k])) {
      throw new ConvConfigError('logits', `logits[${k}] must be finite, got ${describeValue(logits[k])}`);
    }
    max = Math.max(max, logits[k]);
  }
  const e = Array.from(logits, (z) => Math.exp(z - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Bars and a summary for probabilities (one per class). */
export function probabilityBars(probs: readonly number[]): ClassProbabilities {
  let best = 0;
  probs.forEach((p, k) => {
    if (p > probs[best]) best = k;
  });
  const bars = probs.map((p, digit) => ({ digit, probability: p, text: `${digit}: ${formatPercent(p)}`, best: digit === best }));
  // "an 8" (eight starts with a vowel sound), "a 7".
  return { bars, best, summary: `The network reads ${best === 8 ? 'an' : 'a'} ${best} (${formatPercent(probs[best])}).` };
}

/**
 * The class probabilities of one 28×28 image (`C·H·W` floats in [0, 1], the preset's input) under
 * `params`, from the engine's forward pass and a softmax.
 */
export function classProbabilities(params: readonly Param[], preset: ModelPreset, image: Float32Array): ClassProbabilities {
  const [C, H, W] = preset.input;
  if (!(image instanceof Float32Array) || image.length !== C * H * W) {
    throw new ConvConfigError(
      'image',
      `image must be a Float32Array of ${C * H * W} values, got ${image instanceof Float32Array ? image.length : describeValue(image)}`,
    );
  }
  const { logits } = forward(params, { shape: [1, C, H, W], data: image }, preset);
  return probabilityBars(softmax(logits.data));
}
