import { ConvConfigError, describeValue } from '../errors.ts';
import { createRng } from '../random.ts';
import { imageBatch, MNIST_PIXELS } from '../data/mnist.ts';
import type { DatasetPayload } from './protocol.ts';

/**
 * Checks a dataset as it arrives from the page: `count` a non-negative integer, `images` a
 * Uint8Array of count·784 pixels, `labels` a Uint8Array of count digits 0..9. `name` ('train',
 * 'test') prefixes the field in ConvConfigError messages.
 */
export function checkDataset(data: DatasetPayload, name: string): DatasetPayload {
  if (typeof data !== 'object' || data === null) {
    throw new ConvConfigError(name, `${name} must be a dataset { images, labels, count }, got ${describeValue(data)}`);
  }
  const { count, images, labels } = data;
  if (!Number.isInteger(count) || count < 0) {
    throw new ConvConfigError(`${name}.count`, `${name}.count must be a non-negative integer, got ${describeValue(count)}`);
  }
  if (!(images instanceof Uint8Array) || images.length !== count * MNIST_PIXELS) {
    throw new ConvConfigError(
      `${name}.images`,
      `${name}.images must be a Uint8Array of ${count}·784 = ${count * MNIST_PIXELS} pixels, got ${images instanceof Uint8Array ? images.length : describeValue(images)}`,
    );
  }
  if (!(labels instanceof Uint8Array) || labels.length !== count) {
    throw new ConvConfigError(
      `${name}.labels`,
      `${name}.labels must be a Uint8Array of ${count} labels, got ${labels instanceof Uint8Array ? labels.length : describeValue(labels)}`,
    );
  }
  const bad = labels.findIndex((v) => v > 9);
  if (bad >= 0) throw new ConvConfigError(`${name}.labels`, `${name}.labels must be digits 0..9, got ${labels[bad]} at ${bad}`);
  return data;
}

/** The number of full batches in one epoch; the last partial batch is dropped. */
export function stepsPerEpoch(count: number, batchSize: number): number {
  return Math.floor(count / batchSize);
}

/**
 * The order in which epoch `epoch` (from 0) visits `count` examples: a Fisher–Yates shuffle drawn
 * from a generator seeded by `seed` and `epoch` together, so the same seed gives the same order for
 * every epoch, however the run was paused or restored.
 */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const rng = createRng((seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0);
  for (let i = count - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * Batch `step` (from 0) of an epoch visiting `data` in `order`: NCHW images `[B, 1, 28, 28]`
 * scaled to [0, 1] (pixel/255) and their labels. Fresh arrays every call, so a backend may keep
 * them while earlier steps are still queued.
 */
export function batchAt(data: DatasetPayload, order: Uint32Array, step: number, batchSize: number): { x: Float32Array; y: Uint8Array } {
  const start = step * batchSize;
  if (!Number.isInteger(step) || step < 0 || start + batchSize > order.length) {
    throw new ConvConfigError(
      'step',
      `step must be an integer in [0, ${stepsPerEpoch(order.length, batchSize) - 1}], got ${describeValue(step)}`,
    );
  }
  return imageBatch({ ...data, rows: 28, cols: 28 }, order.subarray(start, start + batchSize));
}

/**
 * Images `[from, from + n)` of `data` in their stored order, as floats in [0, 1] (for evaluation).
 */
export function sliceImages(data: DatasetPayload, from: number, n: number): Float32Array {
  const px = MNIST_PIXELS;
  const out = new Float32Array(n * px);
  const src = data.images.subarray(from * px, (from + n) * px);
  for (let k = 0; k < out.length; k++) out[k] = src[k] / 255;
  return out;
}
