import { describe, it, expect, beforeAll } from 'vitest';
import fc from 'fast-check';
import { convGeometryFields } from './helpers/arbitraries.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { conv2dNaive } from '../../lib/ops/conv2d-naive.ts';
import type { ConvOptions } from '../../lib/geometry.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { expectConfigError } from './helpers/expect-config-error.ts';

type Conv = (x: Tensor, w: Tensor, b: Tensor | null, opts?: ConvOptions) => Tensor;

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/** Largest |a − e| / (atol + rtol·|e|); ≤ 1 means within tolerance. */
function worst(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-4, atol = 1e-4): number {
  expect(actual.length).toBe(expected.length);
  let w = 0;
  for (let k = 0; k < actual.length; k++) {
    const e = Math.abs(actual[k] - expected[k]) / (atol + rtol * Math.abs(expected[k]));
    if (Number.isNaN(e)) return Infinity;
    if (e > w) w = e;
  }
  return w;
}

const implementations: [string, Conv][] = [
  ['conv2d (im2col + GEMM)', conv2d],
  ['conv2dNaive (direct loops)', conv2dNaive],
];

describe.each(implementations)('%s: seed worked examples', (_name, conv) => {
  it('x=[1,1,3,3] k=2 s=1 p=0: 1..9 ⊛ [[10,11],[12,13]] = [[145,191],[283,329]]', () => {
    const y = conv(tensor([1, 1, 3, 3], range(1, 9)), tensor([1, 1, 2, 2], [10, 11, 12, 13]), null);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect([...y.data]).toEqual([145, 191, 283, 329]);
  });

  it('x=[1,2,3,3] k=2: the same image and kernel on two channels sum to [[290,382],[566,658]]', () => {
    const x = tensor([1, 2, 3, 3], [...range(1, 9), ...range(1, 9)]);
    const w = tensor([1, 2, 2, 2], [10, 11, 12, 13, 10, 11, 12, 13]);
    const y = conv(x, w, null);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect([...y.data]).toEqual([290, 382, 566, 658]);
  });

  it('x=[1,1,3,3] w=[2,1,2,2]: two filters give two output channels', () => {
    const w = tensor([2, 1, 2, 2], [10, 11, 12, 13, 14, 15, 16, 17]);
    const y = conv(tensor([1, 1, 3, 3], range(1, 9)), w, null);
    expect(y.shape).toEqual([1, 2, 2, 2]);
    expect([...y.data]).toEqual([145, 191, 283, 329, 193, 255, 379, 441]);
  });

  it('x=[2,1,3,3] k=2: a batch of two images (1..9, 10..18) with [[1,2],[3,4]]', () => {
    const y = conv(tensor([2, 1, 3, 3], range(1, 18)), tensor([1, 1, 2, 2], [1, 2, 3, 4]), null);
    expect(y.shape).toEqual([2, 1, 2, 2]);
    expect([...y.data]).toEqual([37, 47, 67, 77, 127, 137, 157, 167]);
  });

  it('x=[1,1,3,3] k=2: the ReLU-mask example convolves to [[-47,7],[7,7]]', () => {
    const x = tensor([1, 1, 3, 3], [1, 1, 1, 1, 10, 1, 1, 1, 1]);
    const y = conv(x, tensor([1, 1, 2, 2], [1, 1, 1, -5]), null);
    expect([...y.data]).toEqual([-47, 7, 7, 7]);
  });
});

describe.each(implementations)('%s: hand-computed options', (_name, conv) => {
  it('bias [100] is added to every output of its filter', () => {
    const y = conv(tensor([1, 1, 3, 3], range(1, 9)), tensor([1, 1, 2, 2], [10, 11, 12, 13]), tensor([1], [100]));
    expect([...y.data]).toEqual([245, 291, 383, 429]);
  });

  it('biases [1, -1] for two filters over a batch of two', () => {
    const x = tensor([2, 1, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const w = tensor([2, 1, 1, 1], [1, 10]);
    const y = conv(x, w, tensor([2], [1, -1]));
    expect(y.shape).toEqual([2, 2, 2, 2]);
    // image 0: filter 0 → x + 1, filter 1 → 10x − 1; then image 1 the same
    expect([...y.data]).toEqual([2, 3, 4, 5, 9, 19, 29, 39, 6, 7, 8, 9, 49, 59, 69, 79]);
  });

  it('x=[1,1,3,3] k=3 p=1: a 3×3 box of ones sums each neighbourhood', () => {
    const y = conv(tensor([1, 1, 3, 3], range(1, 9)), tensor([1, 1, 3, 3], Array(9).fill(1)), null, { padding: 1 });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect([...y.data]).toEqual([12, 21, 16, 27, 45, 33, 24, 39, 28]);
  });

  it('x=[1,1,5,5] k=2 d=2: taps two apart, out = x[i][j] + 2x[i][j+2] + 3x[i+2][j] + 4x[i+2][j+2]', () => {
    const y = conv(tensor([1, 1, 5, 5], range(1, 25)), tensor([1, 1, 2, 2], [1, 2, 3, 4]), null, { dilation: 2 });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect([...y.data]).toEqual([92, 102, 112, 142, 152, 162, 192, 202, 212]);
  });

  it('x=[1,1,4,4] k=1 s=[2,3]: per-axis stride picks rows 0,2 and columns 0,3', () => {
    const y = conv(tensor([1, 1, 4, 4], range(1, 16)), tensor([1, 1, 1, 1], [1]), null, { stride: [2, 3] });
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect([...y.data]).toEqual([1, 4, 9, 12]);
  });

  it('x=[1,1,2,3] k=[1,2] p=[1,0]: rectangular kernel, padding only along the height', () => {
    const y = conv(tensor([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]), tensor([1, 1, 1, 2], [1, 10]), null, { padding: [1, 0] });
    expect(y.shape).toEqual([1, 1, 4, 2]);
    expect([...y.data]).toEqual([0, 0, 21, 32, 54, 65, 0, 0]);
  });
});

describe('AlexNet conv1: x=[1,3,227,227] w=[96,3,11,11] s=4', () => {
  const rng = createRng(227);
  const x = randomUniform([1, 3, 227, 227], rng);
  const w = randomUniform([96, 3, 11, 11], rng, -0.1, 0.1);
  const b = randomUniform([96], rng);
  let y: Tensor;
  beforeAll(() => {
    y = conv2d(x, w, b, { stride: 4 });
  });

  it('gives [1,96,55,55]', () => {
    expect(y.shape).toEqual([1, 96, 55, 55]);
  });

  it('matches the direct loops on the first 8 filters, every cell', () => {
    const P = 55 * 55;
    const w8 = tensor([8, 3, 11, 11], w.data.subarray(0, 8 * 3 * 11 * 11));
    const ref = conv2dNaive(x, w8, tensor([8], b.data.subarray(0, 8)), { stride: 4 });
    expect(ref.shape).toEqual([1, 8, 55, 55]);
    expect(worst(y.data.subarray(0, 8 * P), ref.data)).toBeLessThanOrEqual(1);
  });

  it('matches a float64 dot product over the 11×11×3 window on 64 sampled cells', () => {
    const pick = createRng(55);
    for (let s = 0; s < 64; s++) {
      const [f, oh, ow] = [Math.floor(pick() * 96), Math.floor(pick() * 55), Math.floor(pick() * 55)];
      let sum = b.data[f];
      for (let c = 0; c < 3; c++) {
        for (let kh = 0; kh < 11; kh++) {
          for (let kw = 0; kw < 11; kw++) {
            sum += w.data[((f * 3 + c) * 11 + kh) * 11 + kw] * x.data[(c * 227 + oh * 4 + kh) * 227 + ow * 4 + kw];
          }
        }
      }
      expect(worst([y.data[(f * 55 + oh) * 55 + ow]], [sum])).toBeLessThanOrEqual(1);
    }
  });
});

/** A random valid geometry: the input is made large enough for the dilated kernel. */
const geometry = fc.record({ ...convGeometryFields(), bias: fc.boolean() }).map((r) => ({
  ...r,
  H: Math.max(1, r.dh * (r.KH - 1) + 1 - 2 * r.ph) + r.extraH,
  W: Math.max(1, r.dw * (r.KW - 1) + 1 - 2 * r.pw) + r.extraW,
}));

describe('conv2d = conv2dNaive over random geometries', () => {
  it('per-axis stride 1–3, padding 0–2, dilation 1–3, rectangular kernels, N,C,F up to 3', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const rng = createRng(g.seed);
        const x = randomUniform([g.N, g.C, g.H, g.W], rng);
        const w = randomUniform([g.F, g.C, g.KH, g.KW], rng);
        const b = g.bias ? randomUniform([g.F], rng) : null;
        const opts: ConvOptions = { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] };
        const y = conv2d(x, w, b, opts);
        const ref = conv2dNaive(x, w, b, opts);
        expect(y.shape).toEqual(ref.shape);
        expect(y.shape).toEqual([
          g.N,
          g.F,
          Math.floor((g.H + 2 * g.ph - g.dh * (g.KH - 1) - 1) / g.sh) + 1,
          Math.floor((g.W + 2 * g.pw - g.dw * (g.KW - 1) - 1) / g.sw) + 1,
        ]);
        expect(worst(y.data, ref.data, 1e-4, 1e-5)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100, seed: 20240611 },
    );
  });
});

describe.each(implementations)('%s: invalid calls throw ConvConfigError', (_name, conv) => {
  const x = tensor([1, 2, 5, 5]);
  const w = tensor([3, 2, 3, 3]);

  it('stride 0', () => expectConfigError(() => conv(x, w, null, { stride: 0 }), 'stride', 'stride must be a positive integer, got 0'));
  it('stride -1', () => expectConfigError(() => conv(x, w, null, { stride: -1 }), 'stride', 'stride must be a positive integer, got -1'));
  it('stride 1.5', () =>
    expectConfigError(() => conv(x, w, null, { stride: 1.5 }), 'stride', 'stride must be a positive integer, got 1.5'));
  it('stride NaN', () =>
    expectConfigError(() => conv(x, w, null, { stride: NaN }), 'stride', 'stride must be a positive integer, got NaN'));
  it('stride [1, 0] names the width', () =>
    expectConfigError(() => conv(x, w, null, { stride: [1, 0] }), 'stride', 'stride (width) must be a positive integer, got 0'));
  it('dilation 0', () =>
    expectConfigError(() => conv(x, w, null, { dilation: 0 }), 'dilation', 'dilation must be a positive integer, got 0'));
  it('padding -1', () =>
    expectConfigError(() => conv(x, w, null, { padding: -1 }), 'padding', 'padding must be a non-negative integer, got -1'));
  it('kernel 3×3 with dilation 3 (→ 7×7) on a 5×5 input', () =>
    expectConfigError(() => conv(x, w, null, { dilation: 3 }), 'kernel', '7×7', '5×5'));
  it('kernel 6×6 larger than the input 5×5', () =>
    expectConfigError(() => conv(x, tensor([1, 2, 6, 6]), null), 'kernel', 'kernel 6×6', 'padded input 5×5'));
  it('w has 3 input channels but x has 2', () =>
    expectConfigError(
      () => conv(x, tensor([1, 3, 3, 3]), null),
      'w',
      'w has 3 input channels but x has 2',
      '[1, 3, 3, 3]',
      '[1, 2, 5, 5]',
    ));
  it('bias of length 2 for 3 filters', () => expectConfigError(() => conv(x, w, tensor([2])), 'b', 'F = 3', 'got length 2'));
  it('bias that is not 1-D', () => expectConfigError(() => conv(x, w, tensor([3, 1])), 'b', '1-D', '[3, 1]'));
  it('x data length 49 for shape [1, 2, 5, 5]', () =>
    expectConfigError(
      () => conv({ shape: [1, 2, 5, 5], data: new Float32Array(49) }, w, null),
      'x',
      'x data length must equal the product of its shape [1, 2, 5, 5] = 50, got 49',
    ));
  it('w data length 17 for shape [3, 2, 3, 3]', () =>
    expectConfigError(() => conv(x, { shape: [3, 2, 3, 3], data: new Float32Array(17) }, null), 'w', '= 54, got 17'));
  it('x of rank 3', () => expectConfigError(() => conv(tensor([2, 5, 5]), w, null), 'x', '4-D', '[2, 5, 5]', 'rank 3'));
  it('w of rank 2', () => expectConfigError(() => conv(x, tensor([3, 3]), null), 'w', '4-D', '[3, 3]', 'rank 2'));
});
