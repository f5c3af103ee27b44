import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { im2col, im2colBytes, im2colInto } from '../../lib/im2col/im2col.ts';
import type { PatchCopy } from '../../lib/im2col/im2col.ts';
import { convGeometry } from '../../lib/geometry.ts';
import { tensor, toNested } from '../../lib/tensor.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { unfoldGeometryArb } from './helpers/arbitraries.ts';

const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);

/**
 * im2col from its definition, independent of the engine:
 * cols[(c·KH+kh)·KW+kw][(n·OH+oh)·OW+ow] = xpadded[n][c][oh·sh+kh·dh][ow·sw+kw·dw].
 * Unset entries stay NaN so a missed cell cannot pass.
 */
function im2colReference(
  x: Tensor,
  [KH, KW]: [number, number],
  [sh, sw]: [number, number],
  [ph, pw]: [number, number],
  [dh, dw]: [number, number],
): number[][] {
  const [N, C, H, W] = x.shape;
  const xpadded = (n: number, c: number, y: number, xx: number): number => {
    const yi = y - ph;
    const xi = xx - pw;
    if (yi < 0 || yi >= H || xi < 0 || xi >= W) return 0;
    return x.data[((n * C + c) * H + yi) * W + xi];
  };
  const OH = Math.floor((H + 2 * ph - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + 2 * pw - dw * (KW - 1) - 1) / sw) + 1;
  const cols = Array.from({ length: C * KH * KW }, () => new Array<number>(N * OH * OW).fill(NaN));
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++)
      for (let kh = 0; kh < KH; kh++)
        for (let kw = 0; kw < KW; kw++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              cols[(c * KH + kh) * KW + kw][(n * OH + oh) * OW + ow] = xpadded(n, c, oh * sh + kh * dh, ow * sw + kw * dw);
            }
  return cols;
}

const geometryArb = unfoldGeometryArb(7);

describe('im2col on the seed examples', () => {
  const seed = tensor([1, 1, 3, 3], range(1, 9));

  it('x=[1,1,3,3] 1..9 k=2 s=1 p=0 → 4×4, columns [1,2,4,5] [2,3,5,6] [4,5,7,8] [5,6,8,9]', () => {
    const cols = im2col(seed, [2, 2]);
    expect(cols.shape).toEqual([4, 4]);
    expect(toNested(cols)).toEqual([
      [1, 2, 4, 5],
      [2, 3, 5, 6],
      [4, 5, 7, 8],
      [5, 6, 8, 9],
    ]);
  });

  it('x=[1,1,3,4] 1..12 k=2: row r is a kernel position, column q a window', () => {
    // Windows (oh, ow) with OH = 2, OW = 3; column q = oh·3 + ow holds that window's 2×2 patch.
    // x = 1  2  3  4
    //     5  6  7  8
    //     9 10 11 12
    const cols = im2col(tensor([1, 1, 3, 4], range(1, 12)), [2, 2]);
    expect(cols.shape).toEqual([4, 6]);
    const m = toNested(cols) as number[][];
    // row 0 = kernel tap (0,0) seen by every window, in window order
    expect(m[0]).toEqual([1, 2, 3, 5, 6, 7]);
    // row 3 = tap (1,1)
    expect(m[3]).toEqual([6, 7, 8, 10, 11, 12]);
    // column 0 = the window at the top-left; column 5 = the window at the bottom-right
    expect(m.map((row) => row[0])).toEqual([1, 2, 5, 6]);
    expect(m.map((row) => row[5])).toEqual([7, 8, 11, 12]);
  });

  it('x=[1,2,3,3] two channels: channel 1 stacks its rows below channel 0', () => {
    const x = tensor([1, 2, 3, 3], range(1, 18));
    const cols = im2col(x, [2, 2]);
    expect(cols.shape).toEqual([8, 4]);
    expect(toNested(cols)).toEqual([
      [1, 2, 4, 5],
      [2, 3, 5, 6],
      [4, 5, 7, 8],
      [5, 6, 8, 9],
      [10, 11, 13, 14],
      [11, 12, 14, 15],
      [13, 14, 16, 17],
      [14, 15, 17, 18],
    ]);
  });

  it('x=[2,1,3,3] a batch of two: the images sit side by side in the columns (N·OH·OW = 8)', () => {
    const x = tensor([2, 1, 3, 3], range(1, 18));
    const cols = im2col(x, [2, 2]);
    expect(cols.shape).toEqual([4, 8]);
    expect(toNested(cols)).toEqual([
      [1, 2, 4, 5, 10, 11, 13, 14],
      [2, 3, 5, 6, 11, 12, 14, 15],
      [4, 5, 7, 8, 13, 14, 16, 17],
      [5, 6, 8, 9, 14, 15, 17, 18],
    ]);
  });

  it('x=[1,1,2,2] k=2 p=1: windows over the border read zeros', () => {
    // padded: 0 0 0 0 / 0 1 2 0 / 0 3 4 0 / 0 0 0 0, OH = OW = 3
    const cols = im2col(tensor([1, 1, 2, 2], [1, 2, 3, 4]), [2, 2], { padding: 1 });
    expect(cols.shape).toEqual([4, 9]);
    expect(toNested(cols)).toEqual([
      [0, 0, 0, 0, 1, 2, 0, 3, 4],
      [0, 0, 0, 1, 2, 0, 3, 4, 0],
      [0, 1, 2, 0, 3, 4, 0, 0, 0],
      [1, 2, 0, 3, 4, 0, 0, 0, 0],
    ]);
  });

  it('x=[1,1,4,4] 1..16 k=2 s=2: windows start every second pixel', () => {
    const cols = im2col(tensor([1, 1, 4, 4], range(1, 16)), [2, 2], { stride: 2 });
    expect(toNested(cols)).toEqual([
      [1, 3, 9, 11],
      [2, 4, 10, 12],
      [5, 7, 13, 15],
      [6, 8, 14, 16],
    ]);
  });

  it('x=[1,1,4,4] 1..16 k=2 d=2: the taps are two pixels apart', () => {
    // window (0,0) reads (0,0) (0,2) (2,0) (2,2) = 1 3 9 11
    const cols = im2col(tensor([1, 1, 4, 4], range(1, 16)), [2, 2], { dilation: 2 });
    expect(toNested(cols)).toEqual([
      [1, 2, 5, 6],
      [3, 4, 7, 8],
      [9, 10, 13, 14],
      [11, 12, 15, 16],
    ]);
  });

  it('x=[1,1,3,5] k=[1,2] s=[2,3]: per-axis stride', () => {
    // OH = floor((3−1)/2)+1 = 2 (rows 0, 2), OW = floor((5−2)/3)+1 = 2 (columns 0, 3)
    const cols = im2col(tensor([1, 1, 3, 5], range(1, 15)), [1, 2], { stride: [2, 3] });
    expect(toNested(cols)).toEqual([
      [1, 4, 11, 14],
      [2, 5, 12, 15],
    ]);
  });
});

describe('im2col at AlexNet size (seed chapter)', () => {
  it('x=[1,3,227,227] k=11 s=4 → cols [363, 3025], 4·363·3025 bytes, equal to the definition', () => {
    const x = randomUniform([1, 3, 227, 227], createRng(11));
    const cols = im2col(x, [11, 11], { stride: 4 });
    expect(cols.shape).toEqual([363, 3025]);
    const g = convGeometry(x.shape, [11, 11], { stride: 4 });
    expect([g.OH, g.OW]).toEqual([55, 55]);
    expect(im2colBytes(g)).toBe(4 * 363 * 3025);
    // spot checks from the formula: the last tap of channel 2 in the last window
    const last = (2 * 11 + 10) * 11 + 10;
    expect(cols.data[last * 3025 + 3024]).toBe(x.data[(2 * 227 + 54 * 4 + 10) * 227 + 54 * 4 + 10]);
    const ref = im2colReference(x, [11, 11], [4, 4], [0, 0], [1, 1]);
    let mismatches = 0;
    for (let r = 0; r < 363; r++) {
      const row = ref[r];
      for (let q = 0; q < 3025; q++) if (cols.data[r * 3025 + q] !== row[q]) mismatches++;
    }
    expect(mismatches).toBe(0);
  });
});

describe('im2col equals its definition', () => {
  it('over random geometries (per-axis stride/padding/dilation, rectangular, N ≤ 2, C ≤ 3)', () => {
    fc.assert(
      fc.property(geometryArb, (p) => {
        const x = randomUniform([p.N, p.C, p.H, p.W], createRng(p.seed));
        const opts = {
          stride: [p.sh, p.sw] as [number, number],
          padding: [p.ph, p.pw] as [number, number],
          dilation: [p.dh, p.dw] as [number, number],
        };
        const cols = im2col(x, [p.KH, p.KW], opts);
        const ref = im2colReference(x, [p.KH, p.KW], opts.stride, opts.padding, opts.dilation);
        expect(cols.shape).toEqual([ref.length, ref[0].length]);
        expect(toNested(cols)).toEqual(ref);
      }),
      { numRuns: 100 },
    );
  });

  it('im2colInto reports every copy once, in row-major matrix order, and overwrites stale data', () => {
    const x = randomUniform([2, 2, 4, 5], createRng(3));
    const g = convGeometry(x.shape, [2, 3], { stride: [1, 2], padding: [1, 0], dilation: [2, 1] });
    const rows = g.C * g.KH * g.KW;
    const columns = g.N * g.OH * g.OW;
    const buffer = new Float32Array(rows * columns).fill(42);
    const copies: PatchCopy[] = [];
    im2colInto(x.data, g, buffer, (c) => copies.push(c));
    expect(copies.length).toBe(rows * columns);
    copies.forEach((c, k) => {
      expect(c.row * columns + c.column).toBe(k);
      expect(buffer[k]).toBe(c.value);
      expect(c.padding).toBe(c.y < g.ph || c.y >= g.ph + g.H || c.x < g.pw || c.x >= g.pw + g.W);
    });
    expect(Array.from(buffer)).toEqual(Array.from(im2col(x, [2, 3], { stride: [1, 2], padding: [1, 0], dilation: [2, 1] }).data));
  });
});

describe('im2col rejects invalid input', () => {
  it('x of rank 3', () => {
    expect(() => im2col(tensor([1, 3, 3]), [2, 2])).toThrow(ConvConfigError);
    expect(() => im2col(tensor([1, 3, 3]), [2, 2])).toThrow('x must be a 4-D tensor [N, C, H, W], got shape [1, 3, 3] (rank 3)');
  });

  it('stride 0', () => {
    expect(() => im2col(tensor([1, 1, 3, 3]), [2, 2], { stride: 0 })).toThrow('stride must be a positive integer, got 0');
  });

  it('kernel larger than the padded input', () => {
    expect(() => im2col(tensor([1, 1, 3, 3]), [4, 4])).toThrow('kernel 4×4 does not fit the padded input 3×3');
  });
});
