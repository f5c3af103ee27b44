import { describe, it, expect } from 'vitest';
import { assertTensor, at, clone, reshape, sizeOf, tensor, toNested, zeros } from '../../lib/tensor.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { expectExactConfigError } from './helpers/expect-config-error.ts';

describe('tensor()', () => {
  it('shape [2,3] with data 1..6 keeps the values in row-major order', () => {
    const t = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('without data the tensor is zero-filled', () => {
    const t = zeros([2, 2, 3]);
    expect(t.data.length).toBe(12);
    expect(t.data.every((v) => v === 0)).toBe(true);
  });

  it('a Float32Array is used as is, not copied', () => {
    const data = new Float32Array([1, 2, 3, 4]);
    const t = tensor([2, 2], data);
    expect(t.data).toBe(data);
  });

  it('values are rounded to float32', () => {
    const t = tensor([1], [0.1]);
    expect(t.data[0]).toBe(Math.fround(0.1));
  });

  it('data length 5 for shape [2,3]: the message names both the shape product and the length', () => {
    expectExactConfigError(
      () => tensor([2, 3], [1, 2, 3, 4, 5]),
      'tensor',
      'tensor data length must equal the product of its shape [2, 3] = 6, got 5',
    );
  });

  it('data length 7 for shape [2,3] under a given name', () => {
    expectExactConfigError(
      () => tensor([2, 3], new Float32Array(7), 'w'),
      'w',
      'w data length must equal the product of its shape [2, 3] = 6, got 7',
    );
  });

  it('a negative or fractional dimension', () => {
    expectExactConfigError(
      () => tensor([2, -1]),
      'tensor',
      'tensor must have non-negative integer dimensions, got [2, -1] (dimension 1 is -1)',
    );
    expectExactConfigError(
      () => tensor([1.5, 2]),
      'tensor',
      'tensor must have non-negative integer dimensions, got [1.5, 2] (dimension 0 is 1.5)',
    );
  });

  it('sizeOf is the product of the dimensions, 1 for a scalar', () => {
    expect(sizeOf([2, 3, 4])).toBe(24);
    expect(sizeOf([])).toBe(1);
    expect(sizeOf([5, 0])).toBe(0);
  });
});

describe('assertTensor()', () => {
  it('a 2-D tensor where a 4-D one is expected: rank check', () => {
    expectExactConfigError(
      () => assertTensor('x', tensor([3, 3]), 4, '[N, C, H, W]'),
      'x',
      'x must be a 4-D tensor [N, C, H, W], got shape [3, 3] (rank 2)',
    );
  });

  it('a zero dimension is not a valid operand', () => {
    expectExactConfigError(
      () => assertTensor('x', tensor([1, 0, 3, 3]), 4, '[N, C, H, W]'),
      'x',
      'x [N, C, H, W] must have positive integer dimensions, got [1, 0, 3, 3]',
    );
  });

  it('a hand-made tensor whose data does not match its shape', () => {
    const bad: Tensor = { shape: [2, 2], data: new Float32Array(3) };
    expectExactConfigError(
      () => assertTensor('w', bad, 2, '[F, C·KH·KW]'),
      'w',
      'w data length must equal the product of its shape [2, 2] = 4, got 3',
    );
  });

  it('plain arrays are not tensors', () => {
    const notTensor = { shape: [2], data: [1, 2] } as unknown as Tensor;
    expect(() => assertTensor('b', notTensor, 1, '[F]')).toThrow(ConvConfigError);
    expect(() => assertTensor('b', notTensor, 1, '[F]')).toThrow(/^b must be a Tensor/);
  });

  it('a valid tensor passes', () => {
    expect(() => assertTensor('x', tensor([1, 2, 3, 4]), 4, '[N, C, H, W]')).not.toThrow();
  });
});

describe('toNested() and at()', () => {
  const t = tensor([2, 3], [1, 2, 3, 4, 5, 6]);

  it('[2,3] → two rows of three', () => {
    expect(toNested(t)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('[2,1,2] → nested three deep', () => {
    expect(toNested(tensor([2, 1, 2], [1, 2, 3, 4]))).toEqual([[[1, 2]], [[3, 4]]]);
  });

  it('a scalar [] → its value', () => {
    expect(toNested(tensor([], [7]))).toBe(7);
  });

  it('at(t, i, j) reads row i, column j', () => {
    expect(at(t, 0, 0)).toBe(1);
    expect(at(t, 0, 2)).toBe(3);
    expect(at(t, 1, 0)).toBe(4);
    expect(at(t, 1, 2)).toBe(6);
  });

  it('at on NCHW reads ((n·C + c)·H + h)·W + w', () => {
    const x = tensor(
      [2, 3, 4, 5],
      Array.from({ length: 120 }, (_, k) => k),
    );
    expect(at(x, 1, 2, 3, 4)).toBe(((1 * 3 + 2) * 4 + 3) * 5 + 4);
    expect(at(x, 0, 1, 0, 2)).toBe((1 * 4 + 0) * 5 + 2);
  });

  it('at agrees with toNested everywhere', () => {
    const x = tensor(
      [2, 2, 3],
      Array.from({ length: 12 }, (_, k) => k * 10),
    );
    const nested = toNested(x) as number[][][];
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 2; b++)
        for (let c = 0; c < 3; c++) {
          expect(at(x, a, b, c)).toBe(nested[a][b][c]);
        }
  });

  it('at with the wrong number of indices throws instead of reading undefined', () => {
    expectExactConfigError(() => at(t, 1), 'index', 'index must have one entry per dimension of shape [2, 3] (2), got [1]');
  });

  it('at out of range throws', () => {
    expectExactConfigError(() => at(t, 2, 0), 'index', 'index 0 must be an integer in [0, 1] for shape [2, 3], got 2');
    expectExactConfigError(() => at(t, 0, -1), 'index', 'index 1 must be an integer in [0, 2] for shape [2, 3], got -1');
    expectExactConfigError(() => at(t, 0, 0.5), 'index', 'index 1 must be an integer in [0, 2] for shape [2, 3], got 0.5');
  });
});

describe('clone() and reshape()', () => {
  it('clone copies the buffer', () => {
    const a = tensor([2], [1, 2]);
    const b = clone(a);
    b.data[0] = 9;
    expect(a.data[0]).toBe(1);
    expect(b.shape).toEqual([2]);
  });

  it('reshape [2,3] → [3,2] shares the data', () => {
    const a = tensor([2, 3], [1, 2, 3, 4, 5, 6]);
    const b = reshape(a, [3, 2]);
    expect(toNested(b)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(b.data).toBe(a.data);
  });

  it('reshape to a different size throws', () => {
    expectExactConfigError(
      () => reshape(tensor([2, 3]), [4, 2]),
      'reshape',
      'reshape data length must equal the product of its shape [4, 2] = 8, got 6',
    );
  });
});
