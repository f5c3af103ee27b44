import { describe, expect, it } from 'vitest';
import * as engine from '../../lib/index.ts';
import type { Tensor } from '../../lib/index.ts';
import { MAX_BUFFER_FLOATS, checkBufferSizes } from '../../lib/buffer-limit.ts';
import { describeValue } from '../../lib/errors.ts';
import { expectConfigError } from './helpers/expect-config-error.ts';

/**
 * The engine's error contract, table-driven so that every new op joins the same tables:
 * an options argument that is not an object, or names an unknown key, is a ConvConfigError naming
 * it; a buffer beyond MAX_BUFFER_FLOATS is refused by name before anything is allocated; and
 * non-finite values propagate (the one documented policy) instead of throwing or vanishing.
 */

const {
  tensor,
  conv2d,
  conv2dNaive,
  conv2dBackward,
  conv2dTranspose,
  conv2dTransposeByZeroInsertion,
  convolutionMatrix,
  im2col,
  col2im,
  im2colIndices,
  maxPool2d,
  avgPool2d,
  maxPool2dBackward,
  avgPool2dBackward,
  matmul,
  dense,
  tracePatchExtraction,
  traceCol2im,
  traceConv2dTranspose,
  traceDilatedBackward,
  traceGemm,
  convGeometry,
  resolveConvOptions,
} = engine;

/** A small tensor with values 1, 2, 3, … (all finite, none zero). */
function ramp(shape: number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tensor(
    shape,
    Float32Array.from({ length: size }, (_, k) => ((k % 7) + 1) / 4),
  );
}

const x = ramp([1, 2, 4, 4]);
const w = ramp([3, 2, 3, 3]);
const dy = ramp([1, 3, 2, 2]);
const cols = ramp([18, 4]);

/** Every public op that takes an options object, called with `opts` in that position. */
const OPTION_TAKERS: [string, (opts: unknown) => unknown][] = [
  ['conv2d', (o) => conv2d(x, w, null, o as never)],
  ['conv2dNaive', (o) => conv2dNaive(x, w, null, o as never)],
  ['conv2dBackward (opts)', (o) => conv2dBackward(dy, x, w, o as never)],
  ['conv2dBackward (backward)', (o) => conv2dBackward(ramp([1, 3, 2, 2]), x, w, {}, o as never)],
  ['conv2dTranspose', (o) => conv2dTranspose(dy, w, null, o as never)],
  ['conv2dTransposeByZeroInsertion', (o) => conv2dTransposeByZeroInsertion(dy, w, null, o as never)],
  ['convolutionMatrix', (o) => convolutionMatrix(x, w, o as never)],
  ['im2col', (o) => im2col(x, [3, 3], o as never)],
  ['col2im', (o) => col2im(cols, [1, 2, 4, 4], [3, 3], o as never)],
  ['im2colIndices', (o) => im2colIndices([1, 2, 4, 4], [3, 3], o as never)],
  ['maxPool2d', (o) => maxPool2d(x, [2, 2], o as never)],
  ['avgPool2d', (o) => avgPool2d(x, [2, 2], o as never)],
  ['maxPool2dBackward', (o) => maxPool2dBackward(ramp([1, 2, 2, 2]), x, [2, 2], o as never)],
  ['avgPool2dBackward', (o) => avgPool2dBackward(ramp([1, 2, 2, 2]), [1, 2, 4, 4], [2, 2], o as never)],
  ['matmul', (o) => matmul(ramp([2, 3]), ramp([3, 2]), o as never)],
  ['tracePatchExtraction', (o) => tracePatchExtraction(x, [3, 3], o as never)],
  ['traceCol2im', (o) => traceCol2im(cols, [1, 2, 4, 4], [3, 3], o as never)],
  ['traceConv2dTranspose', (o) => traceConv2dTranspose(dy, w, null, o as never)],
  ['traceDilatedBackward (opts)', (o) => traceDilatedBackward(dy, w, [1, 2, 4, 4], o as never)],
  ['traceDilatedBackward (traceOpts)', (o) => traceDilatedBackward(dy, w, [1, 2, 4, 4], {}, o as never)],
  ['traceGemm', (o) => traceGemm(ramp([3, 18]), cols, o as never)],
  ['convGeometry', (o) => convGeometry([1, 2, 4, 4], [3, 3], o as never)],
  ['resolveConvOptions', (o) => resolveConvOptions(o as never)],
];

const NOT_OBJECTS: [string, unknown][] = [
  ['null', null],
  ['a number', 5],
  ['a string', 'stride'],
  ['an array', [2, 2]],
  ['true', true],
];

describe('options arguments', () => {
  it.each(OPTION_TAKERS)('%s runs with the options left out and with {}', (_, call) => {
    expect(() => call(undefined)).not.toThrow();
    expect(() => call({})).not.toThrow();
  });

  for (const [what, value] of NOT_OBJECTS) {
    it.each(OPTION_TAKERS)(`%s refuses ${what} as options by name`, (name, call) => {
      let caught: unknown;
      try {
        call(value);
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(engine.ConvConfigError);
      const err = caught as engine.ConvConfigError;
      expect(['opts', 'backward', 'traceOpts']).toContain(err.parameter);
      expect(err.message).toContain('must be an object');
      expect(err.message).toContain(`got ${describeValue(value)}`);
      expect(err.message.startsWith(name.split(' ')[0]) || name === 'convGeometry' || name === 'resolveConvOptions').toBe(true);
    });
  }

  it.each(OPTION_TAKERS)('%s refuses an unknown key (strides) naming it and the keys it takes', (_, call) => {
    expectConfigError(() => call({ strides: 2 }), 'strides', /unknown option "strides"/, /takes /);
  });

  it('matmul takes only true or false for transA and transB', () => {
    expectConfigError(
      () => matmul(ramp([3, 2]), ramp([3, 2]), { transA: 'yes' as never }),
      'transA',
      /transA must be true or false, got "yes"/,
    );
    expectConfigError(() => matmul(ramp([2, 3]), ramp([2, 3]), { transB: 1 as never }), 'transB', /transB must be true or false, got 1/);
    expect(matmul(ramp([3, 2]), ramp([3, 2]), { transA: true }).shape).toEqual([2, 2]);
  });
});

/** Calls whose buffers would exceed MAX_BUFFER_FLOATS (each a case found by a hostile user). */
const TOO_BIG: [string, () => unknown, RegExp][] = [
  ['conv2d with padding 1e9', () => conv2d(ramp([1, 1, 3, 3]), ramp([1, 1, 3, 3]), null, { padding: 1e9 }), /conv2d: the output/],
  [
    'conv2d of a 3×3 with padding 3000 (im2col matrix 9 × 36 012 001)',
    () => conv2d(ramp([1, 1, 3, 3]), ramp([1, 1, 3, 3]), null, { padding: 3000 }),
    /conv2d: the im2col matrix \[9, 36012001\]/,
  ],
  [
    'conv2dNaive with padding 1e9',
    () => conv2dNaive(ramp([1, 1, 3, 3]), ramp([1, 1, 3, 3]), null, { padding: 1e9 }),
    /conv2dNaive: the output/,
  ],
  ['tensor([1e5, 1e5])', () => tensor([1e5, 1e5]), /tensor: the tensor \[100000, 100000\]/],
  ['zeros([65536, 65536])', () => engine.zeros([65536, 65536]), /the tensor \[65536, 65536\]/],
  ['im2colIndices([1, 1, 1e5, 1e5], [1, 1])', () => im2colIndices([1, 1, 1e5, 1e5], [1, 1]), /im2colIndices: each index matrix/],
  ['im2col with padding 20000', () => im2col(ramp([1, 1, 2, 2]), [1, 1], { padding: 20000 }), /im2col: the im2col matrix/],
  [
    'col2im of one value into a 1e5 × 1e5 image (stride 1e5)',
    () => col2im(ramp([1, 1]), [1, 1, 1e5, 1e5], [1, 1], { stride: 1e5 }),
    /col2im: the output \[1, 1, 100000, 100000\]/,
  ],
  ['maxPool2d with padding 1e6', () => maxPool2d(ramp([1, 1, 4, 4]), [3, 3], { padding: 1e6, stride: 1 }), /maxPool2d: the window matrix/],
  ['avgPool2d with padding 1e6', () => avgPool2d(ramp([1, 1, 4, 4]), [3, 3], { padding: 1e6, stride: 1 }), /avgPool2d: the window matrix/],
  [
    'conv2dTranspose with stride 1e5',
    () => conv2dTranspose(ramp([1, 1, 3, 3]), ramp([1, 1, 3, 3]), null, { stride: 100000 }),
    /conv2dTranspose: the output/,
  ],
  // The geometry alone says the output [1, 1, 60001, 60001] is too big: dy is never read.
  [
    'conv2dBackward with padding 30000',
    () =>
      conv2dBackward({ shape: [1, 1, 60001, 60001], data: new Float32Array(0) }, ramp([1, 1, 1, 1]), ramp([1, 1, 1, 1]), {
        padding: 30000,
      }),
    /conv2dBackward: the output \[1, 1, 60001, 60001\]/,
  ],
  ['matmul of [20000, 1] by [1, 20000]', () => matmul(ramp([20000, 1]), ramp([1, 20000])), /matmul: the product \[20000, 20000\]/],
  ['dense with 20 000 examples and 20 000 units', () => dense(ramp([20000, 1]), ramp([20000, 1])), /dense: the output \[20000, 20000\]/],
];

describe('buffer sizes', () => {
  it.each(TOO_BIG)('%s: refused by name with its bytes, before allocating', (_, call, pattern) => {
    expectConfigError(call, 'size', pattern, / (GB|TB|PB|EB|B)\b|any memory/, /more than the engine's limit of 1\.07 GB per buffer/);
  });

  it('a buffer of exactly the limit is allowed (the check is >, not ≥), one float more is refused', () => {
    expect(() => checkBufferSizes('t', { 'a buffer': [MAX_BUFFER_FLOATS] })).not.toThrow();
    expectConfigError(
      () => checkBufferSizes('t', { 'a buffer': [MAX_BUFFER_FLOATS + 1] }),
      'size',
      /^t: a buffer \[268435457\] would need 1\.07 GB/,
    );
  });
});

/** Ops, each with a way to poison one input value and the output to look at. */
/** Name, the run, and whether every output reads the poisoned value (then none stays finite). */
const PROPAGATORS: [string, (poison: number) => Float32Array, boolean?][] = [
  ['conv2d', (v) => conv2d(poisoned([1, 1, 4, 4], v), ramp([1, 1, 3, 3]), null).data],
  ['conv2dNaive', (v) => conv2dNaive(poisoned([1, 1, 4, 4], v), ramp([1, 1, 3, 3]), null).data],
  ['conv2dBackward (dx)', (v) => conv2dBackward(poisoned([1, 1, 2, 2], v), ramp([1, 1, 4, 4]), ramp([1, 1, 3, 3])).dx.data],
  ['conv2dBackward (dw)', (v) => conv2dBackward(poisoned([1, 1, 2, 2], v), ramp([1, 1, 4, 4]), ramp([1, 1, 3, 3])).dw.data, true],
  ['conv2dTranspose', (v) => conv2dTranspose(poisoned([1, 1, 2, 2], v), ramp([1, 1, 3, 3]), null, { stride: 2 }).data],
  ['im2col', (v) => im2col(poisoned([1, 1, 4, 4], v), [3, 3]).data],
  ['col2im', (v) => col2im(poisoned([9, 4], v), [1, 1, 4, 4], [3, 3]).data],
  ['avgPool2d', (v) => avgPool2d(poisoned([1, 1, 4, 4], v), [2, 2]).data],
  ['maxPool2d', (v) => maxPool2d(poisoned([1, 1, 4, 4], v), [2, 2]).y.data],
  ['dense', (v) => dense(poisoned([2, 3], v), ramp([4, 3])).data],
  ['matmul', (v) => matmul(poisoned([2, 3], v), ramp([3, 4])).data],
];

/** ramp(shape) with its first value replaced by `value`. */
function poisoned(shape: number[], value: number): Tensor {
  const t = ramp(shape);
  t.data[0] = value;
  return t;
}

describe('non-finite values propagate (the engine does not check values)', () => {
  it.each(PROPAGATORS)('%s: a NaN input gives NaN where it is read, the rest stays finite', (_, run, allRead) => {
    const out = run(Number.NaN);
    expect(out.some(Number.isNaN)).toBe(true);
    expect(out.some(Number.isFinite)).toBe(!allRead);
  });

  it.each(PROPAGATORS)('%s: an infinite input gives a non-finite output where it is read', (_, run) => {
    const out = run(Number.POSITIVE_INFINITY);
    expect(out.some((v) => !Number.isFinite(v))).toBe(true);
  });
});
