import { describe, it, expect } from 'vitest';
import { convGeometry, outputSize, resolveConvOptions } from '../../lib/geometry.ts';
import type { ConvOptions } from '../../lib/geometry.ts';
import { expectExactConfigError } from './helpers/expect-config-error.ts';

describe('output size', () => {
  // Hand-computed with OH = floor((H + 2p − d(K−1) − 1) / s) + 1.
  const cases: [string, number, number, number, number, number, number][] = [
    // label, size, kernel, stride, padding, dilation, expected
    ['H=3 k=2 s=1 p=0 (the seed 3×3 example)', 3, 2, 1, 0, 1, 2],
    ['H=227 k=11 s=4 p=0 (AlexNet conv1)', 227, 11, 4, 0, 1, 55],
    ['H=28 k=3 s=2 p=1', 28, 3, 2, 1, 1, 14],
    ['H=28 k=5 s=1 p=2 (same size)', 28, 5, 1, 2, 1, 28],
    ['H=7 k=3 s=1 p=0 d=2', 7, 3, 1, 0, 2, 3],
    ['H=6 k=6 s=1 p=0 (kernel exactly fits)', 6, 6, 1, 0, 1, 1],
    ['H=8 k=3 s=3 p=0 (last window leaves a column unused)', 8, 3, 3, 0, 1, 2],
    ['H=5 k=1 s=2 p=0', 5, 1, 2, 0, 1, 3],
  ];
  for (const [label, size, k, s, p, d, expected] of cases) {
    it(label, () => {
      expect(outputSize(size, k, s, p, d)).toBe(expected);
      const g = convGeometry([1, 1, size, size], [k, k], { stride: s, padding: p, dilation: d });
      expect(g.OH).toBe(expected);
      expect(g.OW).toBe(expected);
    });
  }

  it('x=[2,3,7,10] k=[3,2] s=[2,3] p=[1,0] d=[2,1]: every per-axis value', () => {
    const g = convGeometry([2, 3, 7, 10], [3, 2], { stride: [2, 3], padding: [1, 0], dilation: [2, 1] });
    // OH = floor((7 + 2 − 2·2 − 1) / 2) + 1 = 3; OW = floor((10 + 0 − 1·1 − 1) / 3) + 1 = 3.
    expect(g).toEqual({
      N: 2,
      C: 3,
      H: 7,
      W: 10,
      KH: 3,
      KW: 2,
      sh: 2,
      sw: 3,
      ph: 1,
      pw: 0,
      dh: 2,
      dw: 1,
      HP: 9,
      WP: 10,
      EKH: 5,
      EKW: 2,
      OH: 3,
      OW: 3,
    });
  });

  it('defaults are stride 1, padding 0, dilation 1', () => {
    expect(resolveConvOptions()).toEqual({ stride: [1, 1], padding: [0, 0], dilation: [1, 1] });
    const g = convGeometry([1, 1, 4, 5], [2, 3]);
    expect([g.sh, g.sw, g.ph, g.pw, g.dh, g.dw]).toEqual([1, 1, 0, 0, 1, 1]);
    expect([g.OH, g.OW]).toEqual([3, 3]);
  });

  it('a single number applies to both axes', () => {
    expect(resolveConvOptions({ stride: 2, padding: 1, dilation: 3 })).toEqual({
      stride: [2, 2],
      padding: [1, 1],
      dilation: [3, 3],
    });
  });
});

describe('invalid options throw ConvConfigError naming the parameter and the value', () => {
  const x = [1, 1, 8, 8];
  const invalid: [string, ConvOptions, string, string][] = [
    ['stride 0', { stride: 0 }, 'stride', 'stride must be a positive integer, got 0'],
    ['stride −1', { stride: -1 }, 'stride', 'stride must be a positive integer, got -1'],
    ['stride 1.5', { stride: 1.5 }, 'stride', 'stride must be a positive integer, got 1.5'],
    ['stride NaN', { stride: NaN }, 'stride', 'stride must be a positive integer, got NaN'],
    ['stride Infinity', { stride: Infinity }, 'stride', 'stride must be a positive integer, got Infinity'],
    ['stride [1, 0]', { stride: [1, 0] }, 'stride', 'stride (width) must be a positive integer, got 0'],
    ['stride [−2, 1]', { stride: [-2, 1] }, 'stride', 'stride (height) must be a positive integer, got -2'],
    ['dilation 0', { dilation: 0 }, 'dilation', 'dilation must be a positive integer, got 0'],
    ['dilation 0.5', { dilation: 0.5 }, 'dilation', 'dilation must be a positive integer, got 0.5'],
    ['dilation [2, 0]', { dilation: [2, 0] }, 'dilation', 'dilation (width) must be a positive integer, got 0'],
    ['padding −1', { padding: -1 }, 'padding', 'padding must be a non-negative integer, got -1'],
    ['padding 0.5', { padding: 0.5 }, 'padding', 'padding must be a non-negative integer, got 0.5'],
    ['padding NaN', { padding: NaN }, 'padding', 'padding must be a non-negative integer, got NaN'],
    ['padding [0, −3]', { padding: [0, -3] }, 'padding', 'padding (width) must be a non-negative integer, got -3'],
  ];
  for (const [label, opts, parameter, message] of invalid) {
    it(label, () => {
      expectExactConfigError(() => convGeometry(x, [3, 3], opts), parameter, message);
    });
  }

  it('a pair of the wrong length', () => {
    const threeStrides = { stride: [1, 2, 3] } as unknown as ConvOptions;
    expectExactConfigError(
      () => convGeometry(x, [3, 3], threeStrides),
      'stride',
      'stride must be a number or a [height, width] pair, got [1, 2, 3]',
    );
    const onePadding = { padding: [1] } as unknown as ConvOptions;
    expectExactConfigError(
      () => convGeometry(x, [3, 3], onePadding),
      'padding',
      'padding must be a number or a [height, width] pair, got [1]',
    );
  });

  it('a string instead of a number', () => {
    const text = { dilation: '2' } as unknown as ConvOptions;
    expectExactConfigError(() => convGeometry(x, [3, 3], text), 'dilation', 'dilation must be a number or a [height, width] pair, got "2"');
  });
});

describe('the kernel must fit the padded input', () => {
  const x4 = [1, 1, 4, 4];

  it('x=[1,1,4,4] k=5 p=1 d=2: the dilated 9×9 footprint does not fit 6×6', () => {
    expectExactConfigError(
      () => convGeometry([1, 1, 4, 4], [5, 5], { padding: 1, dilation: 2 }),
      'kernel',
      'kernel 5×5 (dilation 2 → 9×9) does not fit the padded input 6×6',
    );
  });

  it('x=[1,1,4,4] k=5: no dilation, no dilation note', () => {
    expectExactConfigError(() => convGeometry([1, 1, 4, 4], [5, 5]), 'kernel', 'kernel 5×5 does not fit the padded input 4×4');
  });

  it('x=[1,1,6,3] k=[3,2] d=[2,3]: per-axis dilation', () => {
    // EKH = 2·2 + 1 = 5 fits 6, EKW = 3·1 + 1 = 4 does not fit 3.
    expectExactConfigError(
      () => convGeometry([1, 1, 6, 3], [3, 2], { dilation: [2, 3] }),
      'kernel',
      'kernel 3×2 (dilation 2×3 → 5×4) does not fit the padded input 6×3',
    );
  });

  it('x=[1,1,4,4] k=5 p=1 d=1 fits exactly once padded', () => {
    const g = convGeometry([1, 1, 4, 4], [5, 5], { padding: 1 });
    expect([g.HP, g.WP, g.OH, g.OW]).toEqual([6, 6, 2, 2]);
  });

  it('kernel sizes that are not two positive integers', () => {
    const message = (k: string) => `kernel size must be two positive integers [KH, KW], got ${k}`;
    expectExactConfigError(() => convGeometry(x4, [0, 2]), 'kernel', message('[0, 2]'));
    expectExactConfigError(() => convGeometry(x4, [2]), 'kernel', message('[2]'));
    expectExactConfigError(() => convGeometry(x4, [1.5, 2]), 'kernel', message('[1.5, 2]'));
    expectExactConfigError(() => convGeometry(x4, [2, 2, 2]), 'kernel', message('[2, 2, 2]'));
  });
});

describe('the input shape', () => {
  it('x of rank 3', () => {
    expectExactConfigError(() => convGeometry([1, 3, 3], [2, 2]), 'x', 'x must be a 4-D tensor [N, C, H, W], got shape [1, 3, 3] (rank 3)');
  });

  it('x of rank 5', () => {
    expectExactConfigError(
      () => convGeometry([1, 1, 1, 3, 3], [2, 2]),
      'x',
      'x must be a 4-D tensor [N, C, H, W], got shape [1, 1, 1, 3, 3] (rank 5)',
    );
  });

  it('x with a zero or fractional dimension', () => {
    expectExactConfigError(
      () => convGeometry([0, 1, 3, 3], [2, 2]),
      'x',
      'x [N, C, H, W] must have positive integer dimensions, got [0, 1, 3, 3]',
    );
    expectExactConfigError(
      () => convGeometry([1, 1, 3.5, 3], [2, 2]),
      'x',
      'x [N, C, H, W] must have positive integer dimensions, got [1, 1, 3.5, 3]',
    );
  });
});
