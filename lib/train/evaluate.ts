import type { TrainingBackend } from './backend.ts';
import type { DatasetPayload } from './protocol.ts';
import { sliceImages } from './batches.ts';

/** A test set's predicted classes (one per example, in order), the fraction correct and the mean loss. */
export interface Evaluation {
  readonly predictions: Uint8Array;
  readonly accuracy: number;
  /** Mean softmax cross-entropy of the true class (0 for an empty set; Infinity if a logit overflowed). */
  readonly loss: number;
}

/** Softmax cross-entropy of class `label` for the `k` logits of `row` at `offset` (log-sum-exp, stable). */
function crossEntropy(row: Float32Array, offset: number, k: number, label: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) max = Math.max(max, row[offset + c]);
  let sum = 0;
  for (let c = 0; c < k; c++) sum += Math.exp(row[offset + c] - max);
  return Math.log(sum) + max - row[offset + label];
}

/** The index of the largest of `k` values of `row` starting at `offset` (first on ties). */
function argmax(row: Float32Array, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (row[offset + c] > row[offset + best]) best = c;
  return best;
}

/**
 * Classifies every example of `data` with `backend.logits`, in chunks of the backend's batch size
 * (the last chunk smaller), awaiting `between(done)` after each chunk (`done` examples classified so
 * far) so a worker can handle messages and report progress.
 * Accuracy is 0 for an empty set.
 */
export async function evaluateDataset(
  backend: TrainingBackend,
  data: DatasetPayload,
  between: (done: number) => Promise<void> = async () => {},
): Promise<Evaluation> {
  const predictions = new Uint8Array(data.count);
  let correct = 0;
  let lossSum = 0;
  for (let from = 0; from < data.count; from += backend.batchSize) {
    const n = Math.min(backend.batchSize, data.count - from);
    const logits = await backend.logits(sliceImages(data, from, n), n);
    const classes = logits.length / n;
    for (let i = 0; i < n; i++) {
      const p = argmax(logits, i * classes, classes);
      predictions[from + i] = p;
      if (p === data.labels[from + i]) correct++;
      lossSum += crossEntropy(logits, i * classes, classes, data.labels[from + i]);
    }
    await between(from + n);
  }
  const count = data.count;
  return { predictions, accuracy: count > 0 ? correct / count : 0, loss: count > 0 ? lossSum / count : 0 };
}
