import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { conv2dTranspose } from '../../lib/ops/conv2d-transpose.ts';
import { conv2dTransposeByZeroInsertion } from '../../lib/ops/conv2d-transpose-zero-insertion.ts';
import { convolutionMatrix } from '../../lib/ops/convolution-matrix.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { conv2dBackward } from '../../lib/ops/conv2d-backward.ts';
import { expectConfigError } from './helpers/expect-config-error.ts';
import { tensor } from '../../lib/tensor.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';

/** A transposed-convolution case: x [N, F, H, W], w [F, C, KH, KW], options per axis. */
interface Case {
  N: number;
  F: number;
  C: number;
  H: number;
  W: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  oph: number;
  opw: number;
  seed: number;
}

const caseArb = fc
  .record({
    N: fc.integer({ min: 1, max: 2 }),
    F: fc.integer({ min: 1, max: 3 }),
    C: fc.integer({ min: 1, max: 3 }),
    H: fc.integer({ min: 1, max: 5 }),
    W: fc.integer({ min: 1, max: 5 }),
    KH: fc.integer({ min: 1, max: 4 }),
    KW: fc.integer({ min: 1, max: 4 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }),
    dh: fc.integer({ min: 1, max: 3 }),
    dw: fc.integer({ min: 1, max: 3 }),
    oph: fc.nat(),
    opw: fc.nat(),
    seed: fc.integer({ min: 0, max: 2 ** 30 }),
  })
  .map((c) => ({ ...c, oph: c.oph % Math.max(c.sh, c.dh), opw: c.opw % Math.max(c.sw, c.dw) }))
  .filter((c) => outSize(c.H, c.KH, c.sh, c.ph, c.dh, c.oph) >= 1 && outSize(c.W, c.KW, c.sw, c.pw, c.dw, c.opw) >= 1);

function outSize(n: number, k: number, s: number, p: number, d: number, op: number): number {
  return (n - 1) * s - 2 * p + d * (k - 1) + op + 1;
}

const optsOf = (c: Case) => ({
  stride: [c.sh, c.sw] as [number, number],
  padding: [c.ph, c.pw] as [number, number],
  dilation: [c.dh, c.dw] as [number, number],
  outputPadding: [c.oph, c.opw] as [number, number],
});

function operands(c: Case): { x: Tensor; w: Tensor; b: Tensor } {
  const rng = createRng(c.seed);
  return {
    x: randomUniform([c.N, c.F, c.H, c.W], rng),
    w: randomUniform([c.F, c.C, c.KH, c.KW], rng),
    b: randomUniform([c.C], rng),
  };
}

/** The definition, written independently: every input pixel stamps its kernel-weighted copy. */
function directScatter(c: Case, x: Tensor, w: Tensor, b: Tensor | null): Float64Array {
  const OH = outSize(c.H, c.KH, c.sh, c.ph, c.dh, c.oph);
  const OW = outSize(c.W, c.KW, c.sw, c.pw, c.dw, c.opw);
  const out = new Float64Array(c.N * c.C * OH * OW);
  for (let n = 0; n < c.N; n++)
    for (let f = 0; f < c.F; f++)
      for (let i = 0; i < c.H; i++)
        for (let j = 0; j < c.W; j++) {
          const v = x.data[((n * c.F + f) * c.H + i) * c.W + j];
          for (let ch = 0; ch < c.C; ch++)
            for (let kh = 0; kh < c.KH; kh++)
              for (let kw = 0; kw < c.KW; kw++) {
                const y = i * c.sh - c.ph + kh * c.dh;
                const xx = j * c.sw - c.pw + kw * c.dw;
                if (y < 0 || y >= OH || xx < 0 || xx >= OW) continue;
                out[((n * c.C + ch) * OH + y) * OW + xx] += v * w.data[((f * c.C + ch) * c.KH + kh) * c.KW + kw];
              }
        }
  if (b)
    for (let n = 0; n < c.N; n++)
      for (let ch = 0; ch < c.C; ch++) for (let p = 0; p < OH * OW; p++) out[(n * c.C + ch) * OH * OW + p] += b.data[ch];
  return out;
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let k = 0; k < expected.length; k++) {
    if (Math.abs(actual[k] - expected[k]) > tol * (1 + Math.abs(expected[k]))) {
      throw new Error(`entry ${k}: got ${actual[k]}, expected ${expected[k]}`);
    }
  }
}

describe('conv2dTranspose', () => {
  it('x=[1,1,2,2] w=[1,1,2,2] s=2: each input pixel stamps the kernel into its own 2×2 block', () => {
    const x = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const w = tensor([1, 1, 2, 2], [1, 10, 100, 1000]);
    const y = conv2dTranspose(x, w, null, { stride: 2 });
    expect(y.shape).toEqual([1, 1, 4, 4]);
    // Worked by hand: pixel v at (i, j) writes v·w into rows 2i..2i+1, columns 2j..2j+1.
    expect(Array.from(y.data)).toEqual([1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000]);
  });

  it('x=[1,1,2,2] w=[1,1,3,3] of ones s=1: overlapping stamps sum', () => {
    const y = conv2dTranspose(tensor([1, 1, 2, 2], [1, 1, 1, 1]), tensor([1, 1, 3, 3], new Array(9).fill(1)), null);
    expect(y.shape).toEqual([1, 1, 4, 4]);
    expect(Array.from(y.data)).toEqual([1, 2, 2, 1, 2, 4, 4, 2, 2, 4, 4, 2, 1, 2, 2, 1]);
  });

  it('matches a direct scatter loop on random geometries (stride, padding, dilation, outputPadding, N, C, F)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { x, w, b } = operands(c);
        const y = conv2dTranspose(x, w, b, optsOf(c));
        expect(y.shape).toEqual([c.N, c.C, outSize(c.H, c.KH, c.sh, c.ph, c.dh, c.oph), outSize(c.W, c.KW, c.sw, c.pw, c.dw, c.opw)]);
        expectClose(y.data, directScatter(c, x, w, b));
      }),
      { numRuns: 150, seed: 4242 },
    );
  });

  it('zero insertion (dilate, pad, rotate, convolve) agrees with the col2im method for every valid geometry', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { x, w, b } = operands(c);
        const byCol2im = conv2dTranspose(x, w, b, optsOf(c));
        const stages = conv2dTransposeByZeroInsertion(x, w, b, optsOf(c));
        expect(stages.y.shape).toEqual(byCol2im.shape);
        expect(stages.dilated.shape).toEqual([c.N, c.F, (c.H - 1) * c.sh + 1, (c.W - 1) * c.sw + 1]);
        expect(stages.border.top).toBe(c.dh * (c.KH - 1) - c.ph);
        expect(stages.border.bottom).toBe(c.dh * (c.KH - 1) - c.ph + c.oph);
        expectClose(stages.y.data, byCol2im.data);
      }),
      { numRuns: 150, seed: 77 },
    );
  });

  it('is the adjoint of conv2d: ⟨conv2dTranspose(x, w), z⟩ = ⟨x, conv2d(z, w)⟩', () => {
    fc.assert(
      fc.property(
        caseArb.filter((c) => c.oph < c.sh && c.opw < c.sw),
        (c) => {
          const { x, w } = operands(c);
          const y = conv2dTranspose(x, w, null, optsOf(c));
          const z = randomUniform(y.shape, createRng(c.seed + 1));
          const { outputPadding: _, ...convOpts } = optsOf(c);
          const cz = conv2d(z, w, null, convOpts);
          expect(cz.shape).toEqual(x.shape);
          let left = 0;
          let right = 0;
          for (let k = 0; k < y.data.length; k++) left += y.data[k] * z.data[k];
          for (let k = 0; k < x.data.length; k++) right += x.data[k] * cz.data[k];
          expect(Math.abs(left - right)).toBeLessThan(1e-4 * (1 + Math.abs(left)));
        },
      ),
      { numRuns: 100, seed: 9 },
    );
  });

  it('equals the input gradient of the convolution it transposes (lesson 7: col2im(W_rowᵀ·dY))', () => {
    const rng = createRng(5);
    const xImage = randomUniform([2, 3, 7, 6], rng);
    const w = randomUniform([4, 3, 3, 3], rng);
    const opts = { stride: 2, padding: 1 };
    const dy = randomUniform(conv2d(xImage, w, null, opts).shape, rng);
    const { dx } = conv2dBackward(dy, xImage, w, opts);
    // 7 = (4 − 1)·2 − 2 + 3 → outputPadding 0; 6 = (3 − 1)·2 − 2 + 3 + 1 → outputPadding 1 on W.
    const y = conv2dTranspose(dy, w, null, { ...opts, outputPadding: [0, 1] });
    expect(y.shape).toEqual(dx.shape);
    expectClose(y.data, dx.data, 1e-5);
  });

  it('is the transposed convolution matrix: vec(y) = Mᵀ·vec(x) with M the matrix of conv2d', () => {
    const rng = createRng(11);
    const image = randomUniform([1, 2, 4, 5], rng);
    const w = randomUniform([3, 2, 2, 3], rng);
    const opts = { stride: [2, 1] as [number, number], padding: 1 };
    const m = convolutionMatrix(image, w, opts);
    const y = conv2d(image, w, null, opts);
    const [rows, columns] = m.shape;
    expect(rows).toBe(y.data.length);
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let q = 0; q < columns; q++) s += m.data[r * columns + q] * image.data[q];
      expect(s).toBeCloseTo(y.data[r], 5);
    }
    const z = randomUniform(y.shape, rng);
    const t = conv2dTranspose(z, w, null, { ...opts, outputPadding: [0, 0] });
    expect(t.shape).toEqual(image.shape);
    for (let q = 0; q < columns; q++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += m.data[r * columns + q] * z.data[r];
      expect(t.data[q]).toBeCloseTo(s, 5);
    }
  });

  it('restores the shape, not the values: conv then transpose is not the identity', () => {
    const x = tensor(
      [1, 1, 4, 4],
      Array.from({ length: 16 }, (_, k) => k),
    );
    const w = tensor([1, 1, 2, 2], [1, 0, 0, 1]);
    const down = conv2d(x, w, null, { stride: 2 });
    const up = conv2dTranspose(down, w, null, { stride: 2 });
    expect(up.shape).toEqual(x.shape);
    expect(Array.from(up.data)).not.toEqual(Array.from(x.data));
  });

  describe('errors', () => {
    const x = tensor([1, 2, 3, 3]);
    const w = tensor([2, 1, 3, 3]);
    const cases: Array<[string, () => unknown, string, RegExp]> = [
      [
        'outputPadding negative',
        () => conv2dTranspose(x, w, null, { stride: 2, outputPadding: -1 }),
        'outputPadding',
        /outputPadding must be an integer from 0 to 1 .*got -1/,
      ],
      ['outputPadding fractional', () => conv2dTranspose(x, w, null, { stride: 2, outputPadding: 0.5 }), 'outputPadding', /got 0\.5/],
      [
        'outputPadding = stride',
        () => conv2dTranspose(x, w, null, { stride: 2, outputPadding: 2 }),
        'outputPadding',
        /below max\(stride, dilation\) = 2/,
      ],
      [
        'outputPadding with stride 1 dilation 1',
        () => conv2dTranspose(x, w, null, { outputPadding: [0, 1] }),
        'outputPadding',
        /outputPadding \(width\) must be an integer from 0 to 0/,
      ],
      ['stride 0', () => conv2dTranspose(x, w, null, { stride: 0 }), 'stride', /stride must be a positive integer, got 0/],
      ['dilation 1.5', () => conv2dTranspose(x, w, null, { dilation: 1.5 }), 'dilation', /dilation must be a positive integer, got 1\.5/],
      ['channel mismatch', () => conv2dTranspose(tensor([1, 3, 3, 3]), w, null), 'w', /w has 2 filters but x has 3 channels/],
      ['bias length', () => conv2dTranspose(x, w, tensor([2]), {}), 'b', /length C = 1 .*got length 2/],
      [
        'empty output',
        () => conv2dTranspose(tensor([1, 2, 1, 1]), tensor([2, 1, 1, 1]), null, { padding: 1 }),
        'padding',
        /would be \(1 − 1\)·1 − 2·1 \+ 1·\(1 − 1\) \+ 0 \+ 1 = -1/,
      ],
      ['data length', () => conv2dTranspose({ shape: [1, 2, 3, 3], data: new Float32Array(5) }, w, null), 'x', /x/],
      ['rank', () => conv2dTranspose(tensor([2, 3, 3]), w, null), 'x', /4-D|rank/],
      ['unknown option', () => conv2dTranspose(x, w, null, { strides: 2 } as never), 'strides', /unknown option "strides"/],
      ['null options', () => conv2dTranspose(x, w, null, null as never), 'opts', /opts must be an object/],
    ];
    it.each(cases)('%s', (_name, call, parameter, message) => expectConfigError(call, parameter, message));
  });
});
