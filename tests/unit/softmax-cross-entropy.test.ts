import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { softmaxCrossEntropy, softmaxCrossEntropyBackward } from '../../lib/ops/softmax-cross-entropy.ts';
import { tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { centralDifference, worstError } from './helpers/finite-difference.ts';

describe('softmaxCrossEntropy, hand-computed', () => {
  it('logits [[0, ln 2, ln 3]] label 2 → probs [1/6, 2/6, 3/6], loss ln 2', () => {
    const { loss, probs } = softmaxCrossEntropy(tensor([1, 3], [0, Math.log(2), Math.log(3)]), [2]);
    // softmax: exp → 1, 2, 3, sum 6; loss = −ln(3/6) = ln 2
    expect(loss).toBeCloseTo(Math.LN2, 6);
    expect(probs.shape).toEqual([1, 3]);
    expect(worstError(probs.data, [1 / 6, 2 / 6, 3 / 6])).toBeLessThanOrEqual(1);
  });

  it('two rows average: [[0, 0]] label 0 and [[0, ln 3]] label 1 → (ln 2 + ln(4/3)) / 2', () => {
    const { loss } = softmaxCrossEntropy(tensor([2, 2], [0, 0, 0, Math.log(3)]), [0, 1]);
    expect(loss).toBeCloseTo((Math.log(2) + Math.log(4 / 3)) / 2, 6);
  });

  it('backward of the same two rows → (probs − onehot) / 2', () => {
    const { probs } = softmaxCrossEntropy(tensor([2, 2], [0, 0, 0, Math.log(3)]), [0, 1]);
    const d = softmaxCrossEntropyBackward(probs, [0, 1]);
    expect(d.shape).toEqual([2, 2]);
    expect(worstError(d.data, [(0.5 - 1) / 2, 0.5 / 2, 0.25 / 2, (0.75 - 1) / 2])).toBeLessThanOrEqual(1);
  });

  it('uniform logits give loss ln K (K = 10, any label)', () => {
    const { loss, probs } = softmaxCrossEntropy(tensor([3, 10], new Array(30).fill(1.5)), [0, 4, 9]);
    expect(loss).toBeCloseTo(Math.log(10), 6);
    for (const p of probs.data) expect(p).toBeCloseTo(0.1, 7);
  });
});

describe('softmaxCrossEntropy is numerically stable', () => {
  it('logits (1000, −1000): finite loss, probs (1, 0)', () => {
    const right = softmaxCrossEntropy(tensor([1, 2], [1000, -1000]), [0]);
    expect(Number.isFinite(right.loss)).toBe(true);
    expect(right.loss).toBeCloseTo(0, 10);
    expect(Array.from(right.probs.data)).toEqual([1, 0]);
    const wrong = softmaxCrossEntropy(tensor([1, 2], [1000, -1000]), [1]);
    expect(wrong.loss).toBeCloseTo(2000, 6); // −log softmax = 1000 − (−1000)
  });

  it('logits (1000, 1000, 1000) → probs 1/3 each, loss ln 3', () => {
    const { loss, probs } = softmaxCrossEntropy(tensor([1, 3], [1000, 1000, 1000]), [1]);
    expect(loss).toBeCloseTo(Math.log(3), 6);
    expect(worstError(probs.data, [1 / 3, 1 / 3, 1 / 3])).toBeLessThanOrEqual(1);
  });

  it('probabilities are in [0, 1] and every row sums to 1 (random logits up to ±50)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), fc.integer(), (N, K, seed) => {
        const rng = createRng(seed);
        const logits = randomUniform([N, K], rng, -50, 50);
        const labels = Array.from({ length: N }, () => Math.floor(rng() * K));
        const { loss, probs } = softmaxCrossEntropy(logits, labels);
        expect(Number.isFinite(loss)).toBe(true);
        expect(loss).toBeGreaterThanOrEqual(0);
        for (let n = 0; n < N; n++) {
          let s = 0;
          for (let k = 0; k < K; k++) {
            const p = probs.data[n * K + k];
            expect(p).toBeGreaterThanOrEqual(0);
            expect(p).toBeLessThanOrEqual(1);
            s += p;
          }
          expect(s).toBeCloseTo(1, 5);
        }
        // the loss is the mean of −log of the label's probability (where that is representable)
        let ref = 0;
        for (let n = 0; n < N; n++) {
          let max = -Infinity;
          for (let k = 0; k < K; k++) max = Math.max(max, logits.data[n * K + k]);
          let sum = 0;
          for (let k = 0; k < K; k++) sum += Math.exp(logits.data[n * K + k] - max);
          ref += max + Math.log(sum) - logits.data[n * K + labels[n]];
        }
        expect(loss).toBeCloseTo(ref / N, 6);
      }),
      { numRuns: 60 },
    );
  });
});

describe('softmaxCrossEntropy gradient matches central finite differences', () => {
  for (const [N, K, seed] of [
    [1, 3, 1],
    [4, 10, 2],
    [3, 5, 3],
  ] as const) {
    it(`logits=[${N},${K}]`, () => {
      const rng = createRng(seed);
      const logits = randomUniform([N, K], rng, -3, 3);
      const labels = Array.from({ length: N }, () => Math.floor(rng() * K));
      const { probs } = softmaxCrossEntropy(logits, labels);
      const analytic = softmaxCrossEntropyBackward(probs, labels).data;
      const numeric = centralDifference((v) => softmaxCrossEntropy(tensor([N, K], v), labels).loss, new Float32Array(logits.data), 1e-3);
      expect(worstError(analytic, numeric, { rtol: 1e-3, atol: 1e-4 })).toBeLessThanOrEqual(1);
    });
  }

  it('each row of the gradient sums to 0', () => {
    const rng = createRng(8);
    const logits = randomUniform([5, 7], rng, -4, 4);
    const labels = [0, 6, 3, 3, 1];
    const d = softmaxCrossEntropyBackward(softmaxCrossEntropy(logits, labels).probs, labels);
    for (let n = 0; n < 5; n++) {
      let s = 0;
      for (let k = 0; k < 7; k++) s += d.data[n * 7 + k];
      expect(Math.abs(s)).toBeLessThan(1e-6);
    }
  });
});

describe('softmaxCrossEntropy errors', () => {
  const logits = tensor([2, 3], [0, 1, 2, 3, 4, 5]);

  it('labels of length 3 for N = 2 → names labels', () => {
    const call = () => softmaxCrossEntropy(logits, [0, 1, 2]);
    expect(call).toThrow(ConvConfigError);
    expect(call).toThrow(/labels must have one entry per row of logits \(N = 2\), got length 3/);
    expect(() => softmaxCrossEntropyBackward(logits, [0])).toThrow(/softmaxCrossEntropyBackward: labels must have/);
  });

  it('label 3 for K = 3 → names the index and value', () => {
    expect(() => softmaxCrossEntropy(logits, [0, 3])).toThrow(/labels\[1\] must be an integer class index in \[0, 3\), got 3/);
  });

  it('label −1 and label 0.5 are rejected', () => {
    expect(() => softmaxCrossEntropy(logits, [-1, 0])).toThrow(/labels\[0\] .* got -1/);
    expect(() => softmaxCrossEntropyBackward(logits, [0, 0.5])).toThrow(/labels\[1\] .* got 0.5/);
  });

  it('labels as an Int32Array are accepted', () => {
    expect(softmaxCrossEntropy(logits, Int32Array.from([2, 0])).probs.shape).toEqual([2, 3]);
  });

  it('logits of rank 1 → names logits', () => {
    expect(() => softmaxCrossEntropy(tensor([3]), [0])).toThrow(/logits must be a 2-D tensor \[N, K\], got shape \[3\]/);
  });

  it('a NaN or infinite logit → says which', () => {
    expect(() => softmaxCrossEntropy(tensor([2, 3], [0, 1, 2, 3, Number.NaN, 5]), [0, 0])).toThrow(
      /logits\[1, 1\] must be finite, got NaN/,
    );
    expect(() => softmaxCrossEntropy(tensor([2, 3], [Infinity, 1, 2, 3, 4, 5]), [0, 0])).toThrow(
      /logits\[0, 0\] must be finite, got Infinity/,
    );
  });

  it('labels that change between check and use cannot give a NaN loss: each label is read once', () => {
    // A label that reads 1 the first time and 7 (out of range for K = 3) after: reading it twice
    // would index past the row and give NaN.
    let reads = 0;
    const shifty = {
      length: 1,
      get 0() {
        reads += 1;
        return reads === 1 ? 1 : 7;
      },
    } as ArrayLike<number>;
    const logits = tensor([1, 3], [0, 1, 2]);
    const { loss } = softmaxCrossEntropy(logits, shifty);
    const ref = Math.log(Math.exp(-2) + Math.exp(-1) + 1) - (1 - 2);
    expect(reads).toBe(1);
    expect(loss).toBeCloseTo(ref, 6);
  });
});
