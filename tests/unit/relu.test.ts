import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { relu, reluMask, reluBackward } from '../../lib/ops/relu.ts';
import { tensor, toNested } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { centralDifference, dot64 } from './helpers/finite-difference.ts';

const f32 = (v: number) => Math.fround(v);

describe('relu (seed slides, "ReLU derivative")', () => {
  // Pre-activation X ⊛ K from the slides, then the upstream gradient dL/dO.
  const z = tensor([2, 2], [-47, 7, 7, 7]);
  const upstream = tensor([2, 2], [1.23, 3.59, 4.65, 0.81]);

  it('[[−47, 7], [7, 7]] → relu [[0, 7], [7, 7]]', () => {
    expect(toNested(relu(z))).toEqual([
      [0, 7],
      [7, 7],
    ]);
  });

  it('[[−47, 7], [7, 7]] → mask [[0, 1], [1, 1]]', () => {
    expect(toNested(reluMask(z))).toEqual([
      [0, 1],
      [1, 1],
    ]);
  });

  it('upstream [[1.23, 3.59], [4.65, 0.81]] ⊙ mask → [[0, 3.59], [4.65, 0.81]]', () => {
    const dz = reluBackward(upstream, z);
    expect(dz.shape).toEqual([2, 2]);
    expect(Array.from(dz.data)).toEqual([0, f32(3.59), f32(4.65), f32(0.81)]);
  });
});

describe('relu elementwise', () => {
  it('x=[1,5] keeps positives, zeroes negatives and zero', () => {
    const x = tensor([1, 5], [-2, -0.5, 0, 0.25, 3]);
    expect(Array.from(relu(x).data)).toEqual([0, 0, 0, 0.25, 3]);
  });

  it('the derivative at exactly 0 is 0 (mask and backward)', () => {
    const x = tensor([3], [0, -0, 1e-30]);
    expect(Array.from(reluMask(x).data)).toEqual([0, 0, 1]);
    expect(Array.from(reluBackward(tensor([3], [5, 5, 5]), x).data)).toEqual([0, 0, 5]);
  });

  it('NaN input stays NaN in relu', () => {
    const y = relu(tensor([2], [Number.NaN, 1]));
    expect(Number.isNaN(y.data[0])).toBe(true);
    expect(y.data[1]).toBe(1);
  });

  it('works on any rank and keeps the shape: x=[2,3,2,2]', () => {
    const x = randomUniform([2, 3, 2, 2], createRng(7));
    const y = relu(x);
    expect(y.shape).toEqual([2, 3, 2, 2]);
    for (let k = 0; k < x.data.length; k++) expect(y.data[k]).toBe(Math.max(0, x.data[k]));
    expect(x.data).not.toBe(y.data); // a new buffer, x untouched
  });

  it('relu(x) = x ⊙ mask(x) and backward = dy ⊙ mask(x) for random tensors', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer(), (size, seed) => {
        const rng = createRng(seed);
        const x = randomUniform([size], rng);
        const dy = randomUniform([size], rng);
        const y = relu(x);
        const m = reluMask(x);
        const dx = reluBackward(dy, x);
        for (let k = 0; k < size; k++) {
          expect(y.data[k]).toBe(x.data[k] * m.data[k] + 0);
          expect(dx.data[k]).toBe(x.data[k] > 0 ? dy.data[k] : 0);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('backward matches central finite differences away from 0', () => {
    const rng = createRng(11);
    const x = randomUniform([4, 6], rng);
    for (let k = 0; k < x.data.length; k++) if (Math.abs(x.data[k]) < 0.05) x.data[k] = 0.5;
    const weights = randomUniform([4, 6], rng).data;
    const loss = (v: Float32Array) => dot64(relu(tensor([4, 6], v)).data, weights);
    const numeric = centralDifference(loss, new Float32Array(x.data), 1e-2);
    const analytic = reluBackward(tensor([4, 6], weights), x).data;
    for (let k = 0; k < numeric.length; k++) expect(analytic[k]).toBeCloseTo(numeric[k], 4);
  });
});

describe('relu errors', () => {
  it('dy [2,3] vs x [3,2] → ConvConfigError naming dy and both shapes', () => {
    const call = () => reluBackward(tensor([2, 3]), tensor([3, 2]));
    expect(call).toThrow(ConvConfigError);
    expect(call).toThrow(/dy.*\[3, 2\].*\[2, 3\]/);
    try {
      call();
    } catch (e) {
      expect((e as ConvConfigError).parameter).toBe('dy');
    }
  });

  it('dy [6] vs x [2,3] (same size, different rank) is rejected', () => {
    expect(() => reluBackward(tensor([6]), tensor([2, 3]))).toThrow(/dy must have the shape of x \[2, 3\], got dy \[6\]/);
  });

  it('a tensor whose data does not match its shape is rejected', () => {
    const bad = { shape: [2, 2], data: new Float32Array(3) };
    expect(() => relu(bad)).toThrow(ConvConfigError);
    expect(() => reluMask(bad)).toThrow(/x data length must equal/);
  });

  it('a non-tensor is rejected', () => {
    expect(() => relu([1, 2] as never)).toThrow(/x must be a Tensor/);
  });
});
