import type { TrainingBackend } from './backend.ts';
import type { DatasetPayload } from './protocol.ts';
import { sliceImages } from './batches.ts';

/** A test set's predicted classes (one per example, in order) and the fraction correct. */
export interface Evaluation {
  readonly predictions: Uint8Array;
  readonly accuracy: number;
}

/** The index of the largest of `k` values of `row` starting at `offset` (first on ties). */
function argmax(row: Float32Array, offset: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (row[offset + c] > row[offset + best]) best = c;
  return best;
}

/**
 * Classifies every example of `data` with `backend.logits`, in chunks of the backend's batch size
 * (the last chunk smaller), awaiting `between()` after each chunk so a worker can handle messages.
 * Accuracy is 0 for an empty set.
 */
export async function evaluateDataset(
  backend: TrainingBackend,
  data: DatasetPayload,
  between: () => Promise<void> = async () => {},
): Promise<Evaluation> {
  const predictions = new Uint8Array(data.count);
  let correct = 0;
  for (let from = 0; from < data.count; from += backend.batchSize) {
    const n = Math.min(backend.batchSize, data.count - from);
    const logits = await backend.logits(sliceImages(data, from, n), n);
    const classes = logits.length / n;
    for (let i = 0; i < n; i++) {
      const p = argmax(logits, i * classes, classes);
      predictions[from + i] = p;
      if (p === data.labels[from + i]) correct++;
    }
    await between();
  }
  return { predictions, accuracy: data.count > 0 ? correct / data.count : 0 };
}
