import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward, poolGeometry, routePoolGradient } from '../../lib/ops/pool.ts';
import type { PoolOptions } from '../../lib/ops/pool.ts';
import { tensor, toNested, sizeOf } from '../../lib/tensor.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { centralDifference, dot64, worstError } from './helpers/finite-difference.ts';

// ---------------------------------------------------------------------------------------------
// Naive reference: direct loops over every window, no im2col.
// ---------------------------------------------------------------------------------------------

interface Geo {
  shape: [number, number, number, number];
  k: [number, number];
  stride?: [number, number];
  pad: [number, number];
  dil: [number, number];
}

function opts(g: Geo): PoolOptions {
  return { stride: g.stride, padding: g.pad, dilation: g.dil };
}

/** For every output window, the list of in-bounds input offsets it reads, in (kh, kw) order. */
function naiveWindows(g: Geo): { outShape: number[]; windows: number[][] } {
  const [N, C, H, W] = g.shape;
  const [KH, KW] = g.k;
  const [sh, sw] = g.stride ?? g.k;
  const [ph, pw] = g.pad;
  const [dh, dw] = g.dil;
  const OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  const windows: number[][] = [];
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          const cells: number[] = [];
          for (let kh = 0; kh < KH; kh++)
            for (let kw = 0; kw < KW; kw++) {
              const y = oh * sh + kh * dh - ph;
              const x = ow * sw + kw * dw - pw;
              if (y >= 0 && y < H && x >= 0 && x < W) cells.push(((n * C + c) * H + y) * W + x);
            }
          windows.push(cells);
        }
  return { outShape: [N, C, OH, OW], windows };
}

function naiveMax(x: Tensor, g: Geo) {
  const { outShape, windows } = naiveWindows(g);
  const y = windows.map((cells) => Math.max(...cells.map((i) => x.data[i])));
  const winner = windows.map((cells) => {
    let best = cells[0];
    for (const i of cells) if (x.data[i] > x.data[best]) best = i;
    return best;
  });
  return { outShape, y, winner, empty: windows.some((c) => c.length === 0) };
}

function naiveMaxBackward(dy: Tensor, x: Tensor, g: Geo): Float64Array {
  const dx = new Float64Array(x.data.length);
  naiveMax(x, g).winner.forEach((i, q) => (dx[i] += dy.data[q]));
  return dx;
}

function naiveAvg(x: Tensor, g: Geo) {
  const { outShape, windows } = naiveWindows(g);
  const area = g.k[0] * g.k[1];
  return { outShape, y: windows.map((cells) => cells.reduce((s, i) => s + x.data[i], 0) / area) };
}

function naiveAvgBackward(dy: Tensor, g: Geo): Float64Array {
  const { windows } = naiveWindows(g);
  const area = g.k[0] * g.k[1];
  const dx = new Float64Array(sizeOf(g.shape));
  windows.forEach((cells, q) => cells.forEach((i) => (dx[i] += dy.data[q] / area)));
  return dx;
}

const fits = (g: Geo) =>
  g.dil[0] * (g.k[0] - 1) + 1 <= g.shape[2] + 2 * g.pad[0] && g.dil[1] * (g.k[1] - 1) + 1 <= g.shape[3] + 2 * g.pad[1];

const geometry: fc.Arbitrary<Geo> = fc
  .record({
    shape: fc.tuple(
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 7 }),
    ),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    stride: fc.option(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), { nil: undefined }),
    pad: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
    dil: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
  })
  .filter(fits);

const label = (g: Geo) =>
  `x=${JSON.stringify(g.shape)} k=${JSON.stringify(g.k)} s=${JSON.stringify(g.stride ?? 'window')} p=${JSON.stringify(g.pad)} d=${JSON.stringify(g.dil)}`;

/** Distinct values 0.1 apart (shuffled, centred on 0), so every window has one clear max. */
function distinctValues(shape: number[], seed: number): Tensor {
  const size = sizeOf(shape);
  const rng = createRng(seed);
  const values = Array.from({ length: size }, (_, k) => (k - size / 2) * 0.1);
  for (let k = size - 1; k > 0; k--) {
    const j = Math.floor(rng() * (k + 1));
    [values[k], values[j]] = [values[j], values[k]];
  }
  return tensor(shape, values);
}

// ---------------------------------------------------------------------------------------------

describe('maxPool2d, hand-computed', () => {
  // 4×4 image, 2×2 windows, stride defaults to 2.
  const x = tensor([1, 1, 4, 4], [1, 3, 2, 1, 4, 2, 0, 1, 5, 1, 7, 8, 0, 6, 3, 2]);

  it('x=[1,1,4,4] k=2 (stride defaults to 2) → [[4, 2], [6, 8]]', () => {
    const { y, argmax, xShape } = maxPool2d(x, [2, 2]);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(toNested(y)).toEqual([
      [
        [
          [4, 2],
          [6, 8],
        ],
      ],
    ]);
    // window rows r = kh·2 + kw: 4 is at (1,0), 2 at (0,0), 6 at (1,1), 8 at (0,1)
    expect(Array.from(argmax)).toEqual([2, 0, 3, 1]);
    expect(xShape).toEqual([1, 1, 4, 4]);
  });

  it('x=[1,1,4,4] k=2 backward routes dy [[1,2],[3,4]] to the maxima', () => {
    const dy = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const expected = [
      [0, 0, 2, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 4],
      [0, 3, 0, 0],
    ];
    expect(toNested(maxPool2dBackward(dy, x, [2, 2]))).toEqual([[expected]]);
    expect(toNested(maxPool2dBackward(dy, maxPool2d(x, [2, 2]), [2, 2]))).toEqual([[expected]]);
  });

  it('x=[1,1,4,4] k=2 s=1 gives a 3×3 output (explicit stride overrides the default)', () => {
    const { y } = maxPool2d(x, [2, 2], { stride: 1 });
    expect(toNested(y)).toEqual([
      [
        [
          [4, 3, 2],
          [5, 7, 8],
          [6, 7, 8],
        ],
      ],
    ]);
  });

  it('first max wins on ties: x=[1,1,2,2] all 5 → argmax 0', () => {
    const { y, argmax } = maxPool2d(tensor([1, 1, 2, 2], [5, 5, 5, 5]), [2, 2]);
    expect(y.data[0]).toBe(5);
    expect(argmax[0]).toBe(0);
  });

  it('overlapping windows x=[1,1,3,3] k=2 s=1: the centre wins all four, its gradient is the sum', () => {
    const x3 = tensor([1, 1, 3, 3], [1, 2, 3, 4, 9, 5, 6, 7, 8]);
    const r = maxPool2d(x3, [2, 2], { stride: 1 });
    expect(toNested(r.y)).toEqual([
      [
        [
          [9, 9],
          [9, 9],
        ],
      ],
    ]);
    const dx = maxPool2dBackward(tensor([1, 1, 2, 2], [1, 2, 3, 4]), r, [2, 2], { stride: 1 });
    expect(toNested(dx)).toEqual([
      [
        [
          [0, 0, 0],
          [0, 10, 0],
          [0, 0, 0],
        ],
      ],
    ]);
  });

  it('channels and images are pooled separately: x=[2,2,2,2] k=2', () => {
    const xs = tensor([2, 2, 2, 2], [1, 2, 3, 4, -1, -2, -3, -4, 10, 0, 0, 0, 0, 0, 0, 20]);
    expect(toNested(maxPool2d(xs, [2, 2]).y)).toEqual([
      [[[4]], [[-1]]],
      [[[10]], [[20]]],
    ]);
  });
});

describe('maxPool2d with padding: padding never wins', () => {
  const neg = tensor([1, 1, 2, 2], [-4, -8, -12, -16]);

  it('x=[1,1,2,2] all negative, k=2 s=2 p=1 → the pixels themselves, not 0', () => {
    const { y, argmax } = maxPool2d(neg, [2, 2], { padding: 1 });
    expect(toNested(y)).toEqual([
      [
        [
          [-4, -8],
          [-12, -16],
        ],
      ],
    ]);
    // each window sees its real pixel at the far corner from the border
    expect(Array.from(argmax)).toEqual([3, 2, 1, 0]);
  });

  it('x=[1,1,2,2] all negative, k=2 s=2 p=1 backward sends every dy to its pixel', () => {
    const dy = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    expect(toNested(maxPool2dBackward(dy, neg, [2, 2], { padding: 1 }))).toEqual([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
  });

  it('x=[1,1,2,2] k=2 s=1 p=1 overlapping with padding: −4 wins 4 windows', () => {
    const { y } = maxPool2d(neg, [2, 2], { stride: 1, padding: 1 });
    expect(toNested(y)).toEqual([
      [
        [
          [-4, -4, -8],
          [-4, -4, -8],
          [-12, -12, -16],
        ],
      ],
    ]);
    const dx = maxPool2dBackward(tensor([1, 1, 3, 3], new Array(9).fill(1)), neg, [2, 2], { stride: 1, padding: 1 });
    expect(toNested(dx)).toEqual([
      [
        [
          [4, 2],
          [2, 1],
        ],
      ],
    ]);
  });

  it('a window entirely in the padding is an error: x=[1,1,2,2] k=1 p=1', () => {
    const call = () => maxPool2d(neg, [1, 1], { padding: 1 });
    expect(call).toThrow(ConvConfigError);
    expect(call).toThrow(/maxPool2d: padding 1 leaves the 1×1 window of output \(0, 0\) entirely in the zero border of x \[1, 1, 2, 2\]/);
  });

  it('a dilated window that straddles the image without touching it is an error: x=[1,1,2,2] k=2 d=3 p=1', () => {
    expect(() => maxPool2d(neg, [2, 2], { padding: 1, dilation: 3 })).toThrow(/entirely in the zero border/);
  });
});

describe('avgPool2d, hand-computed', () => {
  const x = tensor([1, 1, 4, 4], [1, 3, 2, 1, 4, 2, 0, 1, 5, 1, 7, 8, 0, 6, 3, 2]);

  it('x=[1,1,4,4] k=2 → [[2.5, 1], [3, 5]]', () => {
    const y = avgPool2d(x, [2, 2]);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(toNested(y)).toEqual([
      [
        [
          [2.5, 1],
          [3, 5],
        ],
      ],
    ]);
  });

  it('x=[1,1,4,4] k=2 backward spreads dy/4 over each window', () => {
    const dx = avgPool2dBackward(tensor([1, 1, 2, 2], [4, 8, 12, 16]), [1, 1, 4, 4], [2, 2]);
    expect(toNested(dx)).toEqual([
      [
        [
          [1, 1, 2, 2],
          [1, 1, 2, 2],
          [3, 3, 4, 4],
          [3, 3, 4, 4],
        ],
      ],
    ]);
  });

  it('padding counts in the mean (count_include_pad): x=[1,1,2,2] k=2 s=2 p=1', () => {
    const y = avgPool2d(tensor([1, 1, 2, 2], [4, 8, 12, 16]), [2, 2], { padding: 1 });
    expect(toNested(y)).toEqual([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
  });

  it('padding share of the gradient is dropped: x=[1,1,2,2] k=2 s=2 p=1 backward', () => {
    const dx = avgPool2dBackward(tensor([1, 1, 2, 2], [4, 8, 12, 16]), [1, 1, 2, 2], [2, 2], { padding: 1 });
    expect(toNested(dx)).toEqual([
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ]);
  });

  it('overlapping windows x=[1,1,3,3] k=2 s=1: gradients sum (ones → 1/4, 1/2, 1)', () => {
    const dx = avgPool2dBackward(tensor([1, 1, 2, 2], [1, 1, 1, 1]), [1, 1, 3, 3], [2, 2], { stride: 1 });
    expect(toNested(dx)).toEqual([
      [
        [
          [0.25, 0.5, 0.25],
          [0.5, 1, 0.5],
          [0.25, 0.5, 0.25],
        ],
      ],
    ]);
  });

  it('an all-padding window is allowed for average pooling and gives 0: x=[1,1,2,2] k=1 p=1', () => {
    const y = avgPool2d(tensor([1, 1, 2, 2], [1, 2, 3, 4]), [1, 1], { padding: 1 });
    expect(toNested(y)).toEqual([
      [
        [
          [0, 0, 0, 0],
          [0, 1, 2, 0],
          [0, 3, 4, 0],
          [0, 0, 0, 0],
        ],
      ],
    ]);
  });
});

describe('pooling matches a direct-loop reference over random geometries', () => {
  it('maxPool2d forward, argmax and backward (or the empty-window error)', () => {
    fc.assert(
      fc.property(geometry, fc.integer(), (g, seed) => {
        const rng = createRng(seed);
        const x = randomUniform(g.shape, rng, -2, 2);
        const ref = naiveMax(x, g);
        if (ref.empty) {
          expect(() => maxPool2d(x, g.k, opts(g)), label(g)).toThrow(/entirely in the zero border/);
          return;
        }
        const { y, argmax } = maxPool2d(x, g.k, opts(g));
        expect(y.shape, label(g)).toEqual(ref.outShape);
        expect(Array.from(y.data), label(g)).toEqual(ref.y);
        expect(argmax.length).toBe(ref.y.length);
        const dy = randomUniform(ref.outShape, rng);
        const dx = maxPool2dBackward(dy, x, g.k, opts(g));
        expect(dx.shape).toEqual(g.shape);
        expect(worstError(dx.data, naiveMaxBackward(dy, x, g)), label(g)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100 },
    );
  });

  it('avgPool2d forward and backward', () => {
    fc.assert(
      fc.property(geometry, fc.integer(), (g, seed) => {
        const rng = createRng(seed);
        const x = randomUniform(g.shape, rng, -2, 2);
        const ref = naiveAvg(x, g);
        const y = avgPool2d(x, g.k, opts(g));
        expect(y.shape, label(g)).toEqual(ref.outShape);
        expect(worstError(y.data, ref.y), label(g)).toBeLessThanOrEqual(1);
        const dy = randomUniform(ref.outShape, rng);
        const dx = avgPool2dBackward(dy, g.shape, g.k, opts(g));
        expect(dx.shape).toEqual(g.shape);
        expect(worstError(dx.data, naiveAvgBackward(dy, g)), label(g)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100 },
    );
  });
});

describe('pooling gradients match central finite differences', () => {
  const cases: Geo[] = [
    { shape: [2, 2, 4, 4], k: [2, 2], pad: [0, 0], dil: [1, 1] },
    { shape: [1, 2, 5, 5], k: [3, 3], stride: [1, 1], pad: [0, 0], dil: [1, 1] },
    { shape: [1, 1, 5, 6], k: [3, 2], stride: [2, 1], pad: [1, 1], dil: [1, 1] },
    { shape: [2, 1, 6, 6], k: [2, 2], stride: [1, 2], pad: [1, 0], dil: [2, 2] },
  ];

  for (const g of cases) {
    it(`avgPool2d ${label(g)}`, () => {
      const rng = createRng(3);
      const x = randomUniform(g.shape, rng);
      const yShape = naiveAvg(x, g).outShape;
      const weights = randomUniform(yShape, rng).data;
      const loss = (v: Float32Array) => dot64(avgPool2d(tensor(g.shape, v), g.k, opts(g)).data, weights);
      const numeric = centralDifference(loss, new Float32Array(x.data), 1e-2);
      const analytic = avgPool2dBackward(tensor(yShape, weights), g.shape, g.k, opts(g)).data;
      expect(worstError(analytic, numeric, { rtol: 1e-3, atol: 1e-3 })).toBeLessThanOrEqual(1);
    });

    it(`maxPool2d ${label(g)} (distinct values, eps ≪ gaps)`, () => {
      const x = distinctValues(g.shape, 5);
      const rng = createRng(9);
      const { y } = maxPool2d(x, g.k, opts(g));
      const weights = randomUniform(y.shape, rng).data;
      const loss = (v: Float32Array) => dot64(maxPool2d(tensor(g.shape, v), g.k, opts(g)).y.data, weights);
      // values are 0.1 apart: a ±0.01 nudge cannot change any window's winner
      const numeric = centralDifference(loss, new Float32Array(x.data), 1e-2);
      const analytic = maxPool2dBackward(tensor(y.shape, weights), x, g.k, opts(g)).data;
      expect(worstError(analytic, numeric, { rtol: 1e-3, atol: 1e-3 })).toBeLessThanOrEqual(1);
      expect(analytic.some((v) => v !== 0)).toBe(true);
    });
  }
});

describe('pooling errors', () => {
  const x = tensor([2, 3, 4, 4]);

  it('stride 0 → "stride must be a positive integer, got 0"', () => {
    expect(() => maxPool2d(x, [2, 2], { stride: 0 })).toThrow(/stride must be a positive integer, got 0/);
    expect(() => avgPool2d(x, [2, 2], { stride: 0 })).toThrow(ConvConfigError);
  });

  it('negative padding and fractional dilation are rejected', () => {
    expect(() => avgPool2d(x, [2, 2], { padding: -1 })).toThrow(/padding must be a non-negative integer, got -1/);
    expect(() => maxPool2d(x, [2, 2], { dilation: 1.5 })).toThrow(/dilation must be a positive integer, got 1.5/);
  });

  it('window [0, 2] → names the window and the value', () => {
    const call = () => maxPool2d(x, [0, 2]);
    expect(call).toThrow(/pooling window must be two positive integers \[KH, KW\], got \[0, 2\]/);
    try {
      call();
    } catch (e) {
      expect((e as ConvConfigError).parameter).toBe('kernel');
    }
  });

  it("window 5×5 on a 4×4 image → does not fit, and the message gives x's real shape", () => {
    expect(() => avgPool2d(x, [5, 5])).toThrow(
      /avgPool2d: kernel 5×5 does not fit the padded input 4×4 \(pooling x of shape \[2, 3, 4, 4\]\)/,
    );
  });

  it('x of rank 3 → names x', () => {
    expect(() => maxPool2d(tensor([3, 4, 4]), [2, 2])).toThrow(/x must be a 4-D tensor \[N, C, H, W\], got shape \[3, 4, 4\]/);
  });

  it('dy of the wrong shape → names dy and the expected shape', () => {
    const dy = tensor([2, 3, 3, 3]);
    expect(() => avgPool2dBackward(dy, [2, 3, 4, 4], [2, 2])).toThrow(
      /avgPool2dBackward: dy must have the pooling's output shape \[N, C, OH, OW\] = \[2, 3, 2, 2\], got \[2, 3, 3, 3\]/,
    );
    expect(() => maxPool2dBackward(dy, x, [2, 2])).toThrow(/maxPool2dBackward: dy must have/);
  });

  it('xShape of avgPool2dBackward must be 4-D', () => {
    expect(() => avgPool2dBackward(tensor([1, 1, 1, 1]), [4, 4], [2, 2])).toThrow(/avgPool2dBackward: x must be a 4-D shape/);
  });

  it('a corrupt argmax record is rejected', () => {
    const rec = maxPool2d(x, [2, 2]);
    const dy = tensor([2, 3, 2, 2]);
    expect(() => maxPool2dBackward(dy, { argmax: new Int32Array(3), xShape: rec.xShape }, [2, 2])).toThrow(
      /argmax must be an Int32Array of length N·C·OH·OW = 24, got length 3/,
    );
    const bad = { argmax: new Int32Array(24).fill(4), xShape: rec.xShape };
    expect(() => maxPool2dBackward(dy, bad, [2, 2])).toThrow(/argmax\[0\] must be a window row in \[0, 4\), got 4/);
  });

  it('poolGeometry views x as N·C single-channel images', () => {
    const pg = poolGeometry([2, 3, 4, 4], [2, 2]);
    expect(pg.g.N).toBe(6);
    expect(pg.g.C).toBe(1);
    expect([pg.g.sh, pg.g.sw]).toEqual([2, 2]);
    expect(pg.yShape).toEqual([2, 3, 2, 2]);
  });
});

describe('routePoolGradient: the routing both backward ops use', () => {
  it('max: each dy goes whole to its argmax row, 0 elsewhere (hand-worked, 4 rows × 3 columns)', () => {
    const seen: [number, number, number][] = [];
    const cols = routePoolGradient([5, -2, 7], 4, new Int32Array([3, 0, 1]), (r, q, v) => seen.push([r, q, v]));
    // Row-major [4, 3]: column q holds dy[q] in row argmax[q].
    expect(Array.from(cols)).toEqual([0, -2, 0, 0, 0, 7, 0, 0, 0, 5, 0, 0]);
    expect(seen).toEqual([
      [3, 0, 5],
      [0, 1, -2],
      [1, 2, 7],
    ]);
  });

  it('average: every row of column q gets dy[q] / rows, rounded to float32 once', () => {
    const seen: [number, number, number][] = [];
    const cols = routePoolGradient([1, 3], 9, null, (r, q, v) => seen.push([r, q, v]));
    for (let r = 0; r < 9; r++) {
      expect(cols[r * 2]).toBe(Math.fround(1 / 9));
      expect(cols[r * 2 + 1]).toBe(Math.fround(3 / 9));
    }
    expect(seen.length).toBe(18);
    expect(seen[0]).toEqual([0, 0, Math.fround(1 / 9)]);
    expect(seen[9]).toEqual([0, 1, Math.fround(3 / 9)]);
  });

  it('folding the routed matrix is the backward op: maxPool2dBackward / avgPool2dBackward use it', () => {
    const x = tensor([1, 1, 4, 4], [1, 4, 3, 7, 6, 2, 2, 5, 0, 8, 9, 1, 3, 5, 4, 6]);
    const dy = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const { argmax } = maxPool2d(x, [2, 2]);
    const routed = routePoolGradient(dy.data, 4, argmax);
    // Non-overlapping 2×2 windows: dx holds dy at the winner of each window (6, 7, 8, 9).
    expect(toNested(maxPool2dBackward(dy, x, [2, 2]))).toEqual([
      [
        [
          [0, 0, 0, 2],
          [1, 0, 0, 0],
          [0, 3, 4, 0],
          [0, 0, 0, 0],
        ],
      ],
    ]);
    expect(Array.from(routed)).toEqual([0, 0, 0, 4, 0, 2, 3, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    expect((toNested(avgPool2dBackward(dy, x.shape, [2, 2])) as number[][][][])[0][0][0]).toEqual([0.25, 0.25, 0.5, 0.5]);
  });

  it('refuses a bad argmax with the backward op’s message', () => {
    expect(() => routePoolGradient([1, 2], 4, new Int32Array(3))).toThrow(
      /argmax must be an Int32Array of length N·C·OH·OW = 2, got length 3/,
    );
    expect(() => routePoolGradient([1, 2], 4, new Int32Array([0, 4]))).toThrow(/argmax\[1\] must be a window row in \[0, 4\), got 4/);
  });
});
