import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { col2im, col2imInto } from '../../lib/im2col/col2im.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { convGeometry } from '../../lib/geometry.ts';
import { tensor, toNested } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { unfoldGeometryArb } from './helpers/arbitraries.ts';

const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);

const geometryArb = unfoldGeometryArb(7);

/** Dot product in float64 of two float32 buffers, and the sum of |products| for a tolerance. */
function dot(a: Float32Array, b: Float32Array): { value: number; magnitude: number } {
  let value = 0;
  let magnitude = 0;
  for (let k = 0; k < a.length; k++) {
    value += a[k] * b[k];
    magnitude += Math.abs(a[k] * b[k]);
  }
  return { value, magnitude };
}

/** A per-axis count of how many windows cover each position: start = o·s, taps at start + k·d. */
function axisCoverage(size: number, kernel: number, stride: number, padding: number, dilation: number): number[] {
  const counts = new Array<number>(size).fill(0);
  const out = Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
  for (let o = 0; o < out; o++)
    for (let k = 0; k < kernel; k++) {
      const p = o * stride + k * dilation - padding;
      if (p >= 0 && p < size) counts[p]++;
    }
  return counts;
}

describe('col2im is the adjoint of im2col', () => {
  it('⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩ over random geometries', () => {
    fc.assert(
      fc.property(geometryArb, (p) => {
        const rng = createRng(p.seed);
        const opts = {
          stride: [p.sh, p.sw] as [number, number],
          padding: [p.ph, p.pw] as [number, number],
          dilation: [p.dh, p.dw] as [number, number],
        };
        const xShape = [p.N, p.C, p.H, p.W];
        const x = randomUniform(xShape, rng);
        const cols = im2col(x, [p.KH, p.KW], opts);
        const y = randomUniform(cols.shape, rng);
        const dx = col2im(y, xShape, [p.KH, p.KW], opts);
        expect(dx.shape).toEqual(xShape);
        const lhs = dot(cols.data, y.data);
        const rhs = dot(x.data, dx.data);
        // col2im sums in float32: allow a few ulps of the summed magnitude
        expect(Math.abs(lhs.value - rhs.value)).toBeLessThanOrEqual(1e-5 * lhs.magnitude + 1e-6);
      }),
      { numRuns: 100 },
    );
  });
});

describe('col2im sums where windows overlap', () => {
  it('x=[1,1,3,3] k=2 s=1: col2im of all ones gives the coverage 1 2 1 / 2 4 2 / 1 2 1', () => {
    const dx = col2im(tensor([4, 4], new Array(16).fill(1)), [1, 1, 3, 3], [2, 2]);
    expect(toNested(dx)).toEqual([
      [
        [
          [1, 2, 1],
          [2, 4, 2],
          [1, 2, 1],
        ],
      ],
    ]);
  });

  it('x=[1,1,3,3] 1..9 k=2: col2im(im2col(x)) multiplies each pixel by its coverage', () => {
    const x = tensor([1, 1, 3, 3], range(1, 9));
    const dx = col2im(im2col(x, [2, 2]), x.shape, [2, 2]);
    expect(toNested(dx)).toEqual([
      [
        [
          [1, 4, 3],
          [8, 20, 12],
          [7, 16, 9],
        ],
      ],
    ]);
  });

  it('x=[1,1,5,5] k=3 s=2: the middle row and column are shared by two windows', () => {
    // per axis: windows at 0 and 2 cover 0..2 and 2..4 → counts 1 1 2 1 1
    const dx = col2im(tensor([9, 4], new Array(36).fill(1)), [1, 1, 5, 5], [3, 3], { stride: 2 });
    expect(toNested(dx)).toEqual([
      [
        [
          [1, 1, 2, 1, 1],
          [1, 1, 2, 1, 1],
          [2, 2, 4, 2, 2],
          [1, 1, 2, 1, 1],
          [1, 1, 2, 1, 1],
        ],
      ],
    ]);
  });

  it('x=[1,1,5,5] k=2 s=3: pixels no window reaches get 0', () => {
    // windows at 0 and 3 cover 0,1 and 3,4; position 2 is skipped
    const dx = col2im(tensor([4, 4], new Array(16).fill(1)), [1, 1, 5, 5], [2, 2], { stride: 3 });
    expect(toNested(dx)).toEqual([
      [
        [
          [1, 1, 0, 1, 1],
          [1, 1, 0, 1, 1],
          [0, 0, 0, 0, 0],
          [1, 1, 0, 1, 1],
          [1, 1, 0, 1, 1],
        ],
      ],
    ]);
  });

  it('col2im of ones equals the per-axis coverage product over random geometries', () => {
    fc.assert(
      fc.property(geometryArb, (p) => {
        const opts = {
          stride: [p.sh, p.sw] as [number, number],
          padding: [p.ph, p.pw] as [number, number],
          dilation: [p.dh, p.dw] as [number, number],
        };
        const xShape = [p.N, p.C, p.H, p.W];
        const g = convGeometry(xShape, [p.KH, p.KW], opts);
        const R = p.C * p.KH * p.KW;
        const Q = p.N * g.OH * g.OW;
        const dx = col2im(tensor([R, Q], new Float32Array(R * Q).fill(1)), xShape, [p.KH, p.KW], opts);
        const rowsCount = axisCoverage(p.H, p.KH, p.sh, p.ph, p.dh);
        const colsCount = axisCoverage(p.W, p.KW, p.sw, p.pw, p.dw);
        for (let n = 0; n < p.N; n++)
          for (let c = 0; c < p.C; c++)
            for (let h = 0; h < p.H; h++)
              for (let w = 0; w < p.W; w++) {
                expect(dx.data[((n * p.C + c) * p.H + h) * p.W + w]).toBe(rowsCount[h] * colsCount[w]);
              }
      }),
      { numRuns: 60 },
    );
  });
});

describe('col2im drops the padding', () => {
  it('x=[1,1,2,2] k=2 p=1: 36 ones go in, each pixel keeps the 4 that came from it', () => {
    const dx = col2im(tensor([4, 9], new Array(36).fill(1)), [1, 1, 2, 2], [2, 2], { padding: 1 });
    expect(toNested(dx)).toEqual([
      [
        [
          [4, 4],
          [4, 4],
        ],
      ],
    ]);
  });

  it('x=[1,2,3,3] k=3 p=1: values placed only on padding entries vanish', () => {
    const xShape = [1, 2, 3, 3];
    const opts = { padding: 1 };
    const mask = im2col(tensor(xShape, new Array(18).fill(1)), [3, 3], opts); // 1 where real, 0 where padding
    const onPadding = tensor(
      mask.shape,
      Array.from(mask.data, (m) => (m === 0 ? 7 : 0)),
    );
    expect(onPadding.data.some((v) => v === 7)).toBe(true);
    const dx = col2im(onPadding, xShape, [3, 3], opts);
    expect(Array.from(dx.data)).toEqual(new Array(18).fill(0));
  });
});

describe('col2imInto accumulates', () => {
  it('adds into dx instead of overwriting it', () => {
    const g = convGeometry([1, 1, 3, 3], [2, 2]);
    const dx = new Float32Array(9).fill(10);
    col2imInto(new Float32Array(16).fill(1), g, dx);
    expect(Array.from(dx)).toEqual([11, 12, 11, 12, 14, 12, 11, 12, 11]);
  });
});

/**
 * The documented order written out plainly: window q by window q, tap r by tap r inside it, one
 * float32 add per kept entry. col2im must match it bit for bit (same adds, same order per pixel).
 */
function windowByWindow(
  cols: Float32Array,
  xShape: number[],
  KH: number,
  KW: number,
  s: [number, number],
  p: [number, number],
  d: [number, number],
): Float32Array {
  const [N, C, H, W] = xShape;
  const OH = Math.floor((H + 2 * p[0] - d[0] * (KH - 1) - 1) / s[0]) + 1;
  const OW = Math.floor((W + 2 * p[1] - d[1] * (KW - 1) - 1) / s[1]) + 1;
  const Q = N * OH * OW;
  const dx = new Float32Array(N * C * H * W);
  for (let n = 0; n < N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let c = 0; c < C; c++)
          for (let kh = 0; kh < KH; kh++)
            for (let kw = 0; kw < KW; kw++) {
              const y = oh * s[0] + kh * d[0] - p[0];
              const x = ow * s[1] + kw * d[1] - p[1];
              if (y < 0 || y >= H || x < 0 || x >= W) continue;
              const k = ((n * C + c) * H + y) * W + x;
              dx[k] = Math.fround(dx[k] + cols[((c * KH + kh) * KW + kw) * Q + (n * OH + oh) * OW + ow]);
            }
  return dx;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('col2im goes window by window', () => {
  it('x=[1,1,3,3] k=2: the observer sees column 0 (rows 0…3), then column 1, …', () => {
    const g = convGeometry([1, 1, 3, 3], [2, 2]);
    const seen: [number, number][] = [];
    col2imInto(new Float32Array(range(1, 16)), g, new Float32Array(9), (add) => seen.push([add.column, add.row]));
    expect(seen).toEqual(range(0, 16).map((k) => [Math.floor(k / 4), k % 4]));
  });

  it('x=[1,1,3,3] k=2 cols 1..16: the centre gets 13 (window 0), then 10, 7, 4', () => {
    const g = convGeometry([1, 1, 3, 3], [2, 2]);
    const centre: number[][] = [];
    col2imInto(new Float32Array(range(1, 16)), g, new Float32Array(9), (add) => {
      if (add.y === 1 && add.x === 1) centre.push([add.column, add.value, add.before, add.after]);
    });
    expect(centre).toEqual([
      [0, 13, 0, 13],
      [1, 10, 13, 23],
      [2, 7, 23, 30],
      [3, 4, 30, 34],
    ]);
  });

  it('matches a plain window-by-window loop bit for bit, observed or not, over random geometries', () => {
    const larger = fc
      .record({
        N: fc.integer({ min: 1, max: 2 }),
        C: fc.integer({ min: 1, max: 3 }),
        H: fc.integer({ min: 1, max: 12 }),
        W: fc.integer({ min: 1, max: 12 }),
        KH: fc.integer({ min: 1, max: 4 }),
        KW: fc.integer({ min: 1, max: 4 }),
        sh: fc.integer({ min: 1, max: 3 }),
        sw: fc.integer({ min: 1, max: 3 }),
        ph: fc.integer({ min: 0, max: 2 }),
        pw: fc.integer({ min: 0, max: 2 }),
        dh: fc.integer({ min: 1, max: 2 }),
        dw: fc.integer({ min: 1, max: 2 }),
        seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      })
      .filter((g) => g.dh * (g.KH - 1) + 1 <= g.H + 2 * g.ph && g.dw * (g.KW - 1) + 1 <= g.W + 2 * g.pw);
    fc.assert(
      fc.property(larger, (p) => {
        const s: [number, number] = [p.sh, p.sw];
        const pad: [number, number] = [p.ph, p.pw];
        const d: [number, number] = [p.dh, p.dw];
        const xShape = [p.N, p.C, p.H, p.W];
        const g = convGeometry(xShape, [p.KH, p.KW], { stride: s, padding: pad, dilation: d });
        const cols = randomUniform([p.C * p.KH * p.KW, p.N * g.OH * g.OW], createRng(p.seed));
        const expected = bits(windowByWindow(cols.data, xShape, p.KH, p.KW, s, pad, d));
        const plain = new Float32Array(p.N * p.C * p.H * p.W);
        col2imInto(cols.data, g, plain);
        const observed = new Float32Array(plain.length);
        col2imInto(cols.data, g, observed, () => {});
        expect(bits(plain)).toEqual(expected);
        expect(bits(observed)).toEqual(expected);
      }),
      { numRuns: 100 },
    );
  });
});

describe('col2im rejects a cols matrix of the wrong shape', () => {
  it('x=[1,1,3,3] k=2 with cols [4,5]: names cols and the expected [4, 4]', () => {
    let caught: unknown;
    try {
      col2im(tensor([4, 5]), [1, 1, 3, 3], [2, 2]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConvConfigError);
    expect((caught as ConvConfigError).parameter).toBe('cols');
    expect((caught as ConvConfigError).message).toBe('cols must have shape [C·KH·KW, N·OH·OW] = [4, 4] for this geometry, got [4, 5]');
  });

  it('x=[2,3,4,4] k=3 p=1 with the transposed cols [32, 27]', () => {
    expect(() => col2im(tensor([32, 27]), [2, 3, 4, 4], [3, 3], { padding: 1 })).toThrow(
      'cols must have shape [C·KH·KW, N·OH·OW] = [27, 32] for this geometry, got [32, 27]',
    );
  });

  it('cols of rank 3', () => {
    expect(() => col2im(tensor([1, 4, 4]), [1, 1, 3, 3], [2, 2])).toThrow(
      'cols must be a 2-D tensor [C·KH·KW, N·OH·OW], got shape [1, 4, 4] (rank 3)',
    );
  });

  it('an invalid option is reported before the shape', () => {
    expect(() => col2im(tensor([4, 4]), [1, 1, 3, 3], [2, 2], { dilation: 0 })).toThrow('dilation must be a positive integer, got 0');
  });
});
