import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { traceGemm, gemmCellTerms } from '../../lib/trace/gemm-trace.ts';
import type { GemmCellStep } from '../../lib/trace/gemm-trace.ts';
import { matmulReference as matmul } from '../../lib/gemm.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { tensor } from '../../lib/tensor.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';

/** Replays a step: its terms' products summed in k order in float64, rounded once to float32. */
function replay(step: GemmCellStep): number {
  let sum = 0;
  for (const term of step.terms) sum += term.a * term.b;
  return Math.fround(sum);
}

/** Checks every step's bookkeeping against the operands and replays it against `product`. */
function expectTraceReplays(wRow: Tensor, cols: Tensor): void {
  const [F, R] = wRow.shape;
  const Q = cols.shape[1];
  const trace = traceGemm(wRow, cols);
  const product = matmul(wRow, cols);
  expect([trace.M, trace.N, trace.K]).toEqual([F, Q, R]);
  expect(trace.product.shape).toEqual([F, Q]);
  expect(trace.steps.length).toBe(F * Q);
  const replayed = new Float32Array(F * Q);
  const problems: string[] = [];
  trace.steps.forEach((step, index) => {
    if (step.index !== index || step.row !== Math.floor(index / Q) || step.column !== index % Q) {
      problems.push(`step ${index} is labelled ${step.index} (${step.row}, ${step.column})`);
    }
    if (step.terms.length !== R) problems.push(`step ${index} has ${step.terms.length} terms`);
    step.terms.forEach((t, k) => {
      const a = wRow.data[step.row * R + k];
      const b = cols.data[k * Q + step.column];
      if (t.k !== k || t.a !== a || t.b !== b || t.product !== a * b) {
        problems.push(`step ${index} term ${k}: ${JSON.stringify(t)}, want k=${k} a=${a} b=${b}`);
      }
    });
    replayed[index] = replay(step);
    if (step.sum !== replayed[index]) problems.push(`step ${index}: sum ${step.sum}, replay ${replayed[index]}`);
  });
  expect(problems.slice(0, 5)).toEqual([]);
  expect(Array.from(replayed)).toEqual(Array.from(product.data));
  expect(Array.from(trace.product.data)).toEqual(Array.from(product.data));
}

describe('traceGemm on the seed example', () => {
  // x = 1…9 as a 3×3 image; its im2col for a 2×2 kernel, stride 1, no padding, worked by hand:
  // row (kh, kw) lists the pixel at (oh + kh, ow + kw) for the four windows in row-major order.
  const handCols = tensor([4, 4], [1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
  const wRow = tensor([1, 4], [10, 11, 12, 13]);

  it('im2col of 1…9 with a 2×2 kernel is the hand-worked matrix', () => {
    const cols = im2col(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), [2, 2]);
    expect(Array.from(cols.data)).toEqual(Array.from(handCols.data));
  });

  it('W_row = 10 11 12 13 times the columns gives 145 191 283 329', () => {
    const trace = traceGemm(wRow, handCols);
    expect([trace.M, trace.N, trace.K]).toEqual([1, 4, 4]);
    expect(Array.from(trace.product.data)).toEqual([145, 191, 283, 329]);
    expect(trace.steps.map((s) => s.sum)).toEqual([145, 191, 283, 329]);
  });

  it('output cell 2 is 4·10 + 5·11 + 7·12 + 8·13 = 283', () => {
    const step = traceGemm(wRow, handCols).steps[2];
    expect([step.index, step.row, step.column]).toEqual([2, 0, 2]);
    expect(step.terms.map(({ k, a, b, product }) => ({ k, a, b, product }))).toEqual([
      { k: 0, a: 10, b: 4, product: 40 },
      { k: 1, a: 11, b: 5, product: 55 },
      { k: 2, a: 12, b: 7, product: 84 },
      { k: 3, a: 13, b: 8, product: 104 },
    ]);
    expect(step.terms.map((t) => t.running)).toEqual([40, 95, 179, 283]);
    expect(step.sum).toBe(283);
  });

  it('gemmCellTerms(…, 0, 2) builds the same step on its own', () => {
    expect(gemmCellTerms(wRow, handCols, 0, 2)).toEqual(traceGemm(wRow, handCols).steps[2]);
  });
});

describe('replaying the trace reproduces the GEMM bit for bit', () => {
  it('W_row [8,27] × cols [27,50] (random floats)', () => {
    const rng = createRng(3);
    expectTraceReplays(randomUniform([8, 27], rng), randomUniform([27, 50], rng));
  });

  it('random shapes up to 9×9×9 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (F, R, Q, seed) => {
          const rng = createRng(seed);
          expectTraceReplays(randomUniform([F, R], rng, -100, 100), randomUniform([R, Q], rng, -1e-3, 1e-3));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('order matters and the trace follows it: [2⁵³, 1, −2⁵³] · [1, 1, 1] sums to 0, not 1', () => {
    const wRow = tensor([1, 3], [2 ** 53, 1, -(2 ** 53)]);
    const cols = tensor([3, 1], [1, 1, 1]);
    const step = traceGemm(wRow, cols).steps[0];
    expect(step.terms.map((t) => t.running)).toEqual([2 ** 53, 2 ** 53, 0]);
    expect(step.sum).toBe(0);
    expect(matmul(wRow, cols).data[0]).toBe(0);
  });

  it('rounding happens once: 1 + 2⁻²⁴ + 2⁻²⁴ keeps its small terms in trace and GEMM alike', () => {
    const tiny = 2 ** -24;
    const step = traceGemm(tensor([1, 3], [1, tiny, tiny]), tensor([3, 1], [1, 1, 1])).steps[0];
    expect(step.sum).toBe(1 + 2 ** -23);
    expect(matmul(tensor([1, 3], [1, tiny, tiny]), tensor([3, 1], [1, 1, 1])).data[0]).toBe(1 + 2 ** -23);
  });
});

describe('gemmCellTerms on a large product', () => {
  it('AlexNet-sized W_row [96, 363] against 500 columns: sampled cells match matmul', () => {
    const rng = createRng(11);
    const wRow = randomUniform([96, 363], rng);
    const cols = randomUniform([363, 500], rng);
    const product = matmul(wRow, cols);
    for (const [f, q] of [
      [0, 0],
      [95, 499],
      [37, 250],
      [4, 3],
      [93, 498],
    ]) {
      const step = gemmCellTerms(wRow, cols, f, q);
      expect(step.terms.length).toBe(363);
      expect(step.index).toBe(f * 500 + q);
      expect(replay(step)).toBe(product.data[f * 500 + q]);
      expect(step.sum).toBe(product.data[f * 500 + q]);
    }
  });
});

describe('GEMM trace input checks', () => {
  const wRow = tensor([2, 3]);
  const cols = tensor([3, 4]);

  it('mismatched inner sizes throw ConvConfigError naming cols', () => {
    expect(() => traceGemm(wRow, tensor([2, 4]))).toThrow(ConvConfigError);
    expect(() => traceGemm(wRow, tensor([2, 4]))).toThrow('cols must have as many rows as wRow has columns (3), got shape [2, 4]');
    expect(() => gemmCellTerms(wRow, tensor([2, 4]), 0, 0)).toThrow(ConvConfigError);
  });

  it('non-2-D operands throw ConvConfigError naming the operand', () => {
    expect(() => traceGemm(tensor([2, 3, 1]), cols)).toThrow('wRow must be a 2-D tensor');
    expect(() => gemmCellTerms(wRow, tensor([12]), 0, 0)).toThrow('cols must be a 2-D tensor');
  });

  it('a cell outside the product throws ConvConfigError with the allowed range', () => {
    expect(() => gemmCellTerms(wRow, cols, 2, 0)).toThrow('f must be an integer in [0, 1], got 2');
    expect(() => gemmCellTerms(wRow, cols, 0, -1)).toThrow('q must be an integer in [0, 3], got -1');
    expect(() => gemmCellTerms(wRow, cols, 0, 1.5)).toThrow('q must be an integer in [0, 3], got 1.5');
  });

  it('a trace with more than maxEvents terms is refused', () => {
    expect(() => traceGemm(wRow, cols, { maxEvents: 23 })).toThrow(ConvConfigError);
    expect(() => traceGemm(wRow, cols, { maxEvents: 23 })).toThrow('this trace would record 24 terms, more than maxEvents = 23');
    expect(traceGemm(wRow, cols, { maxEvents: 24 }).steps.length).toBe(8);
  });
});
