import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { dense, denseBackward } from '../../lib/ops/dense.ts';
import { tensor, toNested } from '../../lib/tensor.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { centralDifference, dot64, worstError } from './helpers/finite-difference.ts';

/** Direct loops: y[n][o] = Σᵢ x[n][i]·w[o][i] + b[o], in float64. */
function naiveDense(x: Tensor, w: Tensor, b: Tensor | null): Float64Array {
  const [N, I] = x.shape;
  const O = w.shape[0];
  const y = new Float64Array(N * O);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      let s = b ? b.data[o] : 0;
      for (let i = 0; i < I; i++) s += x.data[n * I + i] * w.data[o * I + i];
      y[n * O + o] = s;
    }
  return y;
}

/** Direct loops for the three gradients. */
function naiveDenseBackward(dy: Tensor, x: Tensor, w: Tensor) {
  const [N, I] = x.shape;
  const O = w.shape[0];
  const dx = new Float64Array(N * I);
  const dw = new Float64Array(O * I);
  const db = new Float64Array(O);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      const g = dy.data[n * O + o];
      db[o] += g;
      for (let i = 0; i < I; i++) {
        dx[n * I + i] += g * w.data[o * I + i];
        dw[o * I + i] += g * x.data[n * I + i];
      }
    }
  return { dx, dw, db };
}

describe('dense, hand-computed', () => {
  // x: two examples of three features; w: two output units.
  const x = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
  const w = tensor([2, 3], [1, 0, -1, 2, 1, 0]);
  const b = tensor([2], [10, 20]);

  it('x=[2,3] w=[2,3] b=[2] → x·wᵀ + b = [[8, 24], [8, 33]]', () => {
    // row 0: 1−3 = −2, 2+2 = 4; row 1: 4−6 = −2, 8+5 = 13
    expect(toNested(dense(x, w, b))).toEqual([
      [8, 24],
      [8, 33],
    ]);
  });

  it('without bias (null or omitted) → [[−2, 4], [−2, 13]]', () => {
    expect(toNested(dense(x, w, null))).toEqual([
      [-2, 4],
      [-2, 13],
    ]);
    expect(toNested(dense(x, w))).toEqual([
      [-2, 4],
      [-2, 13],
    ]);
  });

  it('backward with dy=[[1, 0], [0, 2]]', () => {
    const { dx, dw, db } = denseBackward(tensor([2, 2], [1, 0, 0, 2]), x, w);
    // dx = dy·w: row 0 = w[0], row 1 = 2·w[1]
    expect(toNested(dx)).toEqual([
      [1, 0, -1],
      [4, 2, 0],
    ]);
    // dw = dyᵀ·x: row 0 = x[0], row 1 = 2·x[1]
    expect(toNested(dw)).toEqual([
      [1, 2, 3],
      [8, 10, 12],
    ]);
    expect(toNested(db)).toEqual([1, 2]);
  });
});

describe('dense matches direct loops', () => {
  it('forward and backward over random sizes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        fc.integer(),
        (N, I, O, withBias, seed) => {
          const rng = createRng(seed);
          const x = randomUniform([N, I], rng);
          const w = randomUniform([O, I], rng);
          const b = withBias ? randomUniform([O], rng) : null;
          const y = dense(x, w, b);
          expect(y.shape).toEqual([N, O]);
          expect(worstError(y.data, naiveDense(x, w, b))).toBeLessThanOrEqual(1);
          const dy = randomUniform([N, O], rng);
          const got = denseBackward(dy, x, w);
          const ref = naiveDenseBackward(dy, x, w);
          expect(got.dx.shape).toEqual([N, I]);
          expect(got.dw.shape).toEqual([O, I]);
          expect(got.db.shape).toEqual([O]);
          expect(worstError(got.dx.data, ref.dx)).toBeLessThanOrEqual(1);
          expect(worstError(got.dw.data, ref.dw)).toBeLessThanOrEqual(1);
          expect(worstError(got.db.data, ref.db)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("the seed CNN's layers run: x=[4,2048] → 250 → 10", () => {
    const rng = createRng(2048);
    const x = randomUniform([4, 2048], rng);
    const w1 = randomUniform([250, 2048], rng, -0.05, 0.05);
    const b1 = randomUniform([250], rng);
    const h = dense(x, w1, b1);
    expect(h.shape).toEqual([4, 250]);
    expect(worstError(h.data, naiveDense(x, w1, b1), { rtol: 1e-5, atol: 1e-5 })).toBeLessThanOrEqual(1);
    const w2 = randomUniform([10, 250], rng, -0.1, 0.1);
    const out = dense(h, w2, tensor([10]));
    expect(out.shape).toEqual([4, 10]);
    expect(worstError(out.data, naiveDense(h, w2, null), { rtol: 1e-5, atol: 1e-5 })).toBeLessThanOrEqual(1);
    const g = denseBackward(randomUniform([4, 10], rng), h, w2);
    expect([g.dx.shape, g.dw.shape, g.db.shape]).toEqual([[4, 250], [10, 250], [10]]);
    const g1 = denseBackward(g.dx, x, w1);
    expect([g1.dx.shape, g1.dw.shape, g1.db.shape]).toEqual([[4, 2048], [250, 2048], [250]]);
    expect(worstError(g1.dw.data, naiveDenseBackward(g.dx, x, w1).dw, { rtol: 1e-5, atol: 1e-5 })).toBeLessThanOrEqual(1);
  });
});

describe('dense gradients match central finite differences', () => {
  const rng = createRng(42);
  const [N, I, O] = [3, 5, 4];
  const x = randomUniform([N, I], rng);
  const w = randomUniform([O, I], rng);
  const b = randomUniform([O], rng);
  const weights = randomUniform([N, O], rng).data; // loss = Σ y ⊙ weights, so dy = weights
  const grads = denseBackward(tensor([N, O], weights), x, w);
  const tol = { rtol: 1e-3, atol: 1e-3 };

  it('dx', () => {
    const numeric = centralDifference((v) => dot64(dense(tensor([N, I], v), w, b).data, weights), new Float32Array(x.data));
    expect(worstError(grads.dx.data, numeric, tol)).toBeLessThanOrEqual(1);
  });

  it('dw', () => {
    const numeric = centralDifference((v) => dot64(dense(x, tensor([O, I], v), b).data, weights), new Float32Array(w.data));
    expect(worstError(grads.dw.data, numeric, tol)).toBeLessThanOrEqual(1);
  });

  it('db', () => {
    const numeric = centralDifference((v) => dot64(dense(x, w, tensor([O], v)).data, weights), new Float32Array(b.data));
    expect(worstError(grads.db.data, numeric, tol)).toBeLessThanOrEqual(1);
  });
});

describe('dense errors', () => {
  const x = tensor([2, 3]);
  const w = tensor([4, 3]);

  it('x of rank 1 → names x', () => {
    expect(() => dense(tensor([3]), w)).toThrow(/x must be a 2-D tensor \[N, I\], got shape \[3\]/);
  });

  it('w of rank 3 → names w', () => {
    expect(() => dense(x, tensor([4, 3, 1]))).toThrow(/w must be a 2-D tensor \[O, I\]/);
  });

  it('I mismatch x=[2,3] w=[4,5] → names both shapes', () => {
    const call = () => dense(x, tensor([4, 5]));
    expect(call).toThrow(ConvConfigError);
    expect(call).toThrow(/I = 3.*x \[2, 3\] and w \[4, 5\]/);
    expect(() => denseBackward(tensor([2, 4]), x, tensor([4, 5]))).toThrow(/denseBackward: .*x \[2, 3\] and w \[4, 5\]/);
  });

  it('bias of length 3 for O = 4 → names b', () => {
    expect(() => dense(x, w, tensor([3]))).toThrow(/dense: b must have one entry per output unit, length O = 4 .*got \[3\]/);
    expect(() => dense(x, w, tensor([4, 1]))).toThrow(/b must be a 1-D tensor/);
  });

  it('dy [2,3] for N=2, O=4 → names dy and the expected shape', () => {
    expect(() => denseBackward(tensor([2, 3]), x, w)).toThrow(/dy must have shape \[N, O\] = \[2, 4\].*got \[2, 3\]/);
    expect(() => denseBackward(tensor([8]), x, w)).toThrow(/dy must be a 2-D tensor/);
  });
});
