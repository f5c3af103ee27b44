import type { Tensor } from '../tensor.ts';
import { softmaxCrossEntropy, softmaxCrossEntropyBackward } from '../ops/softmax-cross-entropy.ts';
import type { ModelPreset, Param } from './model.ts';
import { argmaxRows, backward, forward } from './model.ts';
import type { Optimizer } from './optimizer.ts';

/** The outcome of one training step. */
export interface TrainStepResult {
  /** Mean softmax cross-entropy of the batch before the update (NaN or Infinity when not finite). */
  readonly loss: number;
  /** Fraction of the batch the model (before the update) classified correctly, in [0, 1]. */
  readonly accuracy: number;
  /** False when the logits, the loss or a gradient was NaN or ±Infinity. */
  readonly finite: boolean;
  /** True when the optimizer updated the parameters; a non-finite step is never applied. */
  readonly applied: boolean;
}

function allFinite(data: Float32Array): boolean {
  for (let k = 0; k < data.length; k++) if (!Number.isFinite(data[k])) return false;
  return true;
}

/** NaN when any entry is NaN, else Infinity: what a loss over these logits would come to. */
function nonFiniteLoss(data: Float32Array): number {
  for (let k = 0; k < data.length; k++) if (Number.isNaN(data[k])) return Number.NaN;
  return Number.POSITIVE_INFINITY;
}

/**
 * One training step on a batch `x` `[N, C, H, W]` with integer `labels` (N of them): forward,
 * softmax cross-entropy, backward, then `optimizer.step` updating every parameter in place.
 * Returns the batch loss and accuracy (both before the update). When the logits, the loss or any
 * gradient is not finite, nothing is updated and the result says so (`finite: false`,
 * `applied: false`, the loss NaN or Infinity) rather than spreading NaN into the parameters.
 */
export function trainStep(
  params: readonly Param[],
  x: Tensor,
  labels: ArrayLike<number>,
  preset: ModelPreset,
  optimizer: Optimizer,
): TrainStepResult {
  const fwd = forward(params, x, preset);
  const predicted = argmaxRows(fwd.logits);
  const N = predicted.length;
  if (!allFinite(fwd.logits.data)) {
    return { loss: nonFiniteLoss(fwd.logits.data), accuracy: 0, finite: false, applied: false };
  }
  const { loss, probs } = softmaxCrossEntropy(fwd.logits, labels);
  let correct = 0;
  for (let n = 0; n < N; n++) if (predicted[n] === labels[n]) correct++;
  const accuracy = correct / N;
  if (!Number.isFinite(loss)) return { loss, accuracy, finite: false, applied: false };
  const grads = backward(params, fwd, softmaxCrossEntropyBackward(probs, labels), preset);
  if (!grads.every((g) => allFinite(g.data))) return { loss, accuracy, finite: false, applied: false };
  optimizer.step(
    params.map((p) => p.tensor.data),
    grads.map((g) => g.data),
  );
  return { loss, accuracy, finite: true, applied: true };
}
