import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';

/**
 * Checks that `labels` has one integer class index in `[0, K)` per row and returns a copy: each
 * label is read once, so an array-like whose values change between the check and the use (a
 * getter, a Proxy, a buffer shared with a worker) cannot slip an unchecked label into the loss.
 */
function assertLabels(op: string, labels: ArrayLike<number>, N: number, K: number): Int32Array {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') {
    throw new ConvConfigError('labels', `${op}: labels must be an array of class indices, got ${describeValue(labels)}`);
  }
  if (labels.length !== N) {
    throw new ConvConfigError('labels', `${op}: labels must have one entry per row of logits (N = ${N}), got length ${labels.length}`);
  }
  const checked = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    const v = labels[n];
    if (!Number.isInteger(v) || v < 0 || v >= K) {
      throw new ConvConfigError('labels', `${op}: labels[${n}] must be an integer class index in [0, ${K}), got ${describeValue(v)}`);
    }
    checked[n] = v;
  }
  return checked;
}

/** Result of softmaxCrossEntropy: the mean loss and the softmax probabilities `[N, K]`. */
export interface SoftmaxCrossEntropyResult {
  loss: number;
  probs: Tensor;
}

/**
 * Softmax followed by cross-entropy, averaged over the batch. `logits` is `[N, K]` (one row of
 * class scores per example), `labels` has N integer classes in `[0, K)`.
 * `loss = (1/N) Σₙ (logsumexp(logits[n]) − logits[n][labels[n]])`, `probs[n][k] = softmax(logits[n])[k]`.
 * Numerically stable: each row's max is subtracted before exp, and the log-sum-exp is kept in
 * float64, so logits like ±1000 give a finite loss. Throws ConvConfigError for a non-finite logit.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: ArrayLike<number>): SoftmaxCrossEntropyResult {
  assertTensor('logits', logits, 2, '[N, K]');
  const [N, K] = logits.shape;
  const y = assertLabels('softmaxCrossEntropy', labels, N, K);
  const z = logits.data;
  for (let k = 0; k < z.length; k++) {
    if (!Number.isFinite(z[k])) {
      throw new ConvConfigError('logits', `softmaxCrossEntropy: logits[${Math.floor(k / K)}, ${k % K}] must be finite, got ${z[k]}`);
    }
  }
  const probs = new Float32Array(N * K);
  const e = new Float64Array(K);
  let total = 0;
  for (let n = 0; n < N; n++) {
    const row = n * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (z[row + k] > max) max = z[row + k];
    let sum = 0;
    for (let k = 0; k < K; k++) {
      e[k] = Math.exp(z[row + k] - max);
      sum += e[k];
    }
    for (let k = 0; k < K; k++) probs[row + k] = e[k] / sum;
    // −log softmax[label] = log Σ exp(z − max) − (z[label] − max)
    total += Math.log(sum) - (z[row + y[n]] - max);
  }
  return { loss: total / N, probs: { shape: [N, K], data: probs } };
}

/**
 * Gradient of the mean softmax cross-entropy with respect to the logits:
 * `dlogits = (probs − onehot(labels)) / N`, shape `[N, K]`, from the forward's `probs`.
 */
export function softmaxCrossEntropyBackward(probs: Tensor, labels: ArrayLike<number>): Tensor {
  assertTensor('probs', probs, 2, '[N, K]');
  const [N, K] = probs.shape;
  const y = assertLabels('softmaxCrossEntropyBackward', labels, N, K);
  const out = new Float32Array(N * K);
  for (let n = 0; n < N; n++) {
    const row = n * K;
    for (let k = 0; k < K; k++) {
      const target = k === y[n] ? 1 : 0;
      out[row + k] = (probs.data[row + k] - target) / N;
    }
  }
  return { shape: [N, K], data: out };
}
