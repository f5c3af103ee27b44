import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { gemmInto, matmul, setGemmKernel } from '../../lib/gemm.ts';
import { tensor } from '../../lib/tensor.ts';
import { createRng } from '../../lib/random.ts';
import type { Rng } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';

// These tests pin the JS kernel's documented float64 semantics, bit for bit; the WebAssembly
// kernel (float32 sums) is held to the same reference within its error bound in gemm-wasm.test.ts.
setGemmKernel('js');

/** Random float32 values in [-1, 1) with varied magnitudes, so sums round in interesting ways. */
function randomBuffer(length: number, rng: Rng): Float32Array {
  const out = new Float32Array(length);
  for (let k = 0; k < length; k++) out[k] = (rng() * 2 - 1) * 2 ** Math.floor(rng() * 12 - 6);
  return out;
}

/**
 * The documented semantics written out directly: `c[i][j] = fround(Σ_{k=0}^{K−1} op(a)[i][k]·op(b)[k][j])`,
 * the sum taken in increasing k in float64 (a plain triple loop over the stored layouts).
 */
function referenceGemm(M: number, N: number, K: number, a: Float32Array, transA: boolean, b: Float32Array, transB: boolean): Float32Array {
  const c = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = 0;
      for (let k = 0; k < K; k++) {
        const av = transA ? a[k * M + i] : a[i * K + k];
        const bv = transB ? b[j * K + k] : b[k * N + j];
        sum += av * bv;
      }
      c[i * N + j] = Math.fround(sum);
    }
  }
  return c;
}

/** Index of the first entry where two buffers differ bit for bit (NaN equals NaN), or -1. */
function firstDifference(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return 0;
  for (let k = 0; k < actual.length; k++) if (!Object.is(actual[k], expected[k])) return k;
  return -1;
}

function checkShape(M: number, N: number, K: number, transA: boolean, transB: boolean, seed: number): void {
  const rng = createRng(seed);
  const a = randomBuffer(M * K, rng);
  const b = randomBuffer(K * N, rng);
  const c = new Float32Array(M * N).fill(NaN);
  gemmInto(M, N, K, a, transA, b, transB, c);
  const expected = referenceGemm(M, N, K, a, transA, b, transB);
  const at = firstDifference(c, expected);
  expect(at, `first differing entry at ${at}: got ${c[at]}, want ${expected[at]}`).toBe(-1);
}

const transCombos: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe('gemmInto matches the float64 triple loop bit for bit', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [5, 7, 3],
    [13, 1, 9],
    [1, 13, 9],
    [2, 9, 5],
    [3, 10, 6],
    [4, 4, 4],
    [8, 8, 1],
    [3, 3, 17],
    [6, 10, 2],
    [17, 19, 23],
    [33, 31, 64],
  ];
  for (const [M, N, K] of shapes) {
    for (const [transA, transB] of transCombos) {
      it(`M=${M} N=${N} K=${K} transA=${transA} transB=${transB}`, () => {
        checkShape(M, N, K, transA, transB, M * 1000 + N * 10 + K);
      });
    }
  }

  it('M=9 N=450 K=300: several column blocks, the last one partial', () => {
    for (const [transA, transB] of transCombos) checkShape(9, 450, 300, transA, transB, 7);
  });

  it('M=1 N=2100 K=7 and M=2 N=1500 K=30: one or two rows, several streamed column blocks', () => {
    for (const [transA, transB] of transCombos) {
      checkShape(1, 2100, 7, transA, transB, 9);
      checkShape(2, 1500, 30, transA, transB, 10);
    }
  });

  it('M=6 N=9 K=20000: a long inner dimension (one panel per column block)', () => {
    checkShape(6, 9, 20000, false, true, 8);
  });

  it('random shapes and transposes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer({ min: 1, max: 13 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (M, N, K, transA, transB, seed) => {
          checkShape(M, N, K, transA, transB, seed);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('gemmInto numeric semantics', () => {
  it('2×3 by 3×2 with small integers gives the hand-computed product', () => {
    // [1 2 3; 4 5 6] × [7 8; 9 10; 11 12] = [58 64; 139 154]
    const c = new Float32Array(4);
    gemmInto(2, 2, 3, Float32Array.of(1, 2, 3, 4, 5, 6), false, Float32Array.of(7, 8, 9, 10, 11, 12), false, c);
    expect([...c]).toEqual([58, 64, 139, 154]);
  });

  it('accumulates in float64: 1 + 2⁻²⁴ + 2⁻²⁴ keeps both small terms (float32 steps would drop them)', () => {
    const tiny = 2 ** -24;
    const c = new Float32Array(1);
    gemmInto(1, 1, 3, Float32Array.of(1, tiny, tiny), false, Float32Array.of(1, 1, 1), false, c);
    expect(c[0]).toBe(1 + 2 ** -23);
  });

  it('sums in increasing k: 2⁵³ + 1 − 2⁵³ gives 0 in every tile position (reversed order would give 1)', () => {
    // Every row of A holds the three terms in k order; every column of B is ones, so each output
    // is (2⁵³ + 1) − 2⁵³ = 2⁵³ − 2⁵³ = 0 in float64, whereas −2⁵³ + 1 + 2⁵³ would be 1.
    const M = 7;
    const N = 6;
    const K = 3;
    const a = new Float32Array(M * K);
    for (let i = 0; i < M; i++) a.set([2 ** 53, 1, -(2 ** 53)], i * K);
    const c = new Float32Array(M * N).fill(NaN);
    gemmInto(M, N, K, a, false, new Float32Array(K * N).fill(1), false, c);
    expect([...c]).toEqual(new Array(M * N).fill(0));
  });

  it('propagates NaN and Infinity instead of hiding them', () => {
    const c = new Float32Array(4);
    gemmInto(2, 2, 2, Float32Array.of(NaN, 1, 1, 1), false, Float32Array.of(1, 1, Infinity, 1), false, c);
    // row 0: NaN·… = NaN; row 1: [1·1 + 1·∞, 1·1 + 1·1]
    expect(Number.isNaN(c[0])).toBe(true);
    expect(Number.isNaN(c[1])).toBe(true);
    expect(c[2]).toBe(Infinity);
    expect(c[3]).toBe(2);
  });

  it('overwrites only the first M·N entries of c', () => {
    const c = new Float32Array(7).fill(-5);
    gemmInto(2, 3, 1, Float32Array.of(1, 2), false, Float32Array.of(1, 2, 3), false, c);
    expect([...c]).toEqual([1, 2, 3, 2, 4, 6, -5]);
  });

  it('K=0 writes zeros; M=0 or N=0 writes nothing', () => {
    const c = new Float32Array(6).fill(9);
    gemmInto(2, 3, 0, new Float32Array(0), false, new Float32Array(0), false, c);
    expect([...c]).toEqual([0, 0, 0, 0, 0, 0]);
    const d = new Float32Array(2).fill(9);
    gemmInto(0, 2, 3, new Float32Array(0), false, new Float32Array(6), false, d);
    gemmInto(2, 0, 3, new Float32Array(6), false, new Float32Array(0), false, d);
    expect([...d]).toEqual([9, 9]);
  });

  it('a small call after a large one is not affected by the reused packing buffers', () => {
    checkShape(40, 60, 50, false, false, 11);
    checkShape(3, 2, 5, true, false, 12);
    checkShape(5, 6, 7, false, true, 13);
    checkShape(40, 60, 50, true, true, 14);
  });
});

describe('gemmInto input checks', () => {
  it('a buffer shorter than its layout throws ConvConfigError naming it', () => {
    const ok = new Float32Array(6);
    expect(() => gemmInto(2, 3, 3, new Float32Array(5), false, new Float32Array(9), false, ok)).toThrow(ConvConfigError);
    expect(() => gemmInto(2, 3, 3, new Float32Array(5), false, new Float32Array(9), false, ok)).toThrow(
      'a must be a Float32Array of at least 6 elements (M×K = 2×3), got length 5',
    );
    expect(() => gemmInto(2, 3, 3, new Float32Array(6), false, new Float32Array(8), true, ok)).toThrow(
      'b must be a Float32Array of at least 9 elements (N×K = 3×3), got length 8',
    );
    expect(() => gemmInto(2, 3, 3, new Float32Array(6), false, new Float32Array(9), false, new Float32Array(5))).toThrow(
      'c must be a Float32Array of at least 6 elements (M×N = 2×3), got length 5',
    );
  });

  it('a negative or fractional dimension throws ConvConfigError', () => {
    const buf = new Float32Array(16);
    expect(() => gemmInto(-1, 2, 2, buf, false, buf, false, buf)).toThrow('M must be a non-negative integer, got -1');
    expect(() => gemmInto(2, 2.5, 2, buf, false, buf, false, buf)).toThrow('N must be a non-negative integer, got 2.5');
    expect(() => gemmInto(2, 2, NaN, buf, false, buf, false, buf)).toThrow('K must be a non-negative integer, got NaN');
  });
});

describe('matmul', () => {
  it('[2,3] × [3,2] → [2,2] with the hand-computed values', () => {
    const c = matmul(tensor([2, 3], [1, 2, 3, 4, 5, 6]), tensor([3, 2], [7, 8, 9, 10, 11, 12]));
    expect(c.shape).toEqual([2, 2]);
    expect([...c.data]).toEqual([58, 64, 139, 154]);
  });

  it('transA and transB read the stored matrices transposed', () => {
    const rng = createRng(5);
    const a = randomBuffer(4 * 3, rng); // stored [K=4, M=3]
    const b = randomBuffer(5 * 4, rng); // stored [N=5, K=4]
    const c = matmul(tensor([4, 3], a), tensor([5, 4], b), { transA: true, transB: true });
    expect(c.shape).toEqual([3, 5]);
    expect(firstDifference(c.data, referenceGemm(3, 5, 4, a, true, b, true))).toBe(-1);
  });

  it('mismatched inner dimensions throw ConvConfigError naming both shapes', () => {
    const a = tensor([2, 3]);
    const b = tensor([4, 2]);
    expect(() => matmul(a, b)).toThrow(ConvConfigError);
    expect(() => matmul(a, b)).toThrow('matmul inner dimensions must agree: op(a) is 2×3, op(b) is 4×2');
    expect(() => matmul(a, tensor([2, 3]), { transB: false })).toThrow('op(b) is 2×3');
    expect(() => matmul(a, tensor([2, 3]), { transA: true })).not.toThrow();
  });

  it('non-2-D operands throw ConvConfigError naming the operand', () => {
    expect(() => matmul(tensor([2, 3, 1]), tensor([3, 2]))).toThrow(ConvConfigError);
    expect(() => matmul(tensor([2, 3, 1]), tensor([3, 2]))).toThrow('a must be a 2-D tensor');
    expect(() => matmul(tensor([2, 3]), tensor([3]))).toThrow('b must be a 2-D tensor');
  });
});
