import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { gatherWithIndices, im2colIndices } from '../../lib/im2col/indices.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { tensor, toNested } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { unfoldGeometryArb } from './helpers/arbitraries.ts';

const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);

/** Splits a flat Int32Array into rows of `width`. */
function rowsOf(a: Int32Array, width: number): number[][] {
  return Array.from({ length: a.length / width }, (_, r) => Array.from(a.subarray(r * width, (r + 1) * width)));
}

const geometryArb = unfoldGeometryArb(7);

describe('index matrices of the numpy post: x=[1,3,4,4] k=2 s=1 p=0', () => {
  // 3 channels × 2×2 taps = 12 rows; 3×3 windows = 9 columns.
  // i = kh + oh: rows with kh = 0 start at level 0, rows with kh = 1 one level lower.
  const iLevel0 = [0, 0, 0, 1, 1, 1, 2, 2, 2];
  const iLevel1 = [1, 1, 1, 2, 2, 2, 3, 3, 3];
  // j = kw + ow: each slide moves right by one, the pattern repeats on every level.
  const jTap0 = [0, 1, 2, 0, 1, 2, 0, 1, 2];
  const jTap1 = [1, 2, 3, 1, 2, 3, 1, 2, 3];
  const idx = im2colIndices([1, 3, 4, 4], [2, 2]);

  it('i, j are 12×9 and d is 12×1', () => {
    expect(idx.rows).toBe(12);
    expect(idx.columns).toBe(9);
    expect(idx.i.length).toBe(12 * 9);
    expect(idx.j.length).toBe(12 * 9);
    expect(idx.d.length).toBe(12);
  });

  it('i: rows (kh=0, kw=0), (0,1), (1,0), (1,1), repeated for each channel', () => {
    const perChannel = [iLevel0, iLevel0, iLevel1, iLevel1];
    expect(rowsOf(idx.i, 9)).toEqual([...perChannel, ...perChannel, ...perChannel]);
  });

  it('j: rows alternate kw = 0, 1', () => {
    const perChannel = [jTap0, jTap1, jTap0, jTap1];
    expect(rowsOf(idx.j, 9)).toEqual([...perChannel, ...perChannel, ...perChannel]);
  });

  it('d = 0 0 0 0 1 1 1 1 2 2 2 2', () => {
    expect(Array.from(idx.d)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  });

  it('gathering 1..48 with them gives the post’s 12×9 matrix', () => {
    const x = tensor([1, 3, 4, 4], range(1, 48));
    const cols = gatherWithIndices(x, idx, [0, 0]);
    const channel0 = [
      [1, 2, 3, 5, 6, 7, 9, 10, 11],
      [2, 3, 4, 6, 7, 8, 10, 11, 12],
      [5, 6, 7, 9, 10, 11, 13, 14, 15],
      [6, 7, 8, 10, 11, 12, 14, 15, 16],
    ];
    const shifted = (by: number) => channel0.map((row) => row.map((v) => v + by));
    expect(cols.shape).toEqual([12, 9]);
    expect(toNested(cols)).toEqual([...channel0, ...shifted(16), ...shifted(32)]);
  });

  it('with M = 2 images the same matrix is stacked side by side', () => {
    const x = tensor([2, 3, 4, 4], range(1, 96));
    const cols = gatherWithIndices(x, idx, [0, 0]);
    expect(cols.shape).toEqual([12, 18]);
    const m = toNested(cols) as number[][];
    for (const row of m) expect(row.slice(9)).toEqual(row.slice(0, 9).map((v) => v + 48));
  });
});

describe('index matrices with stride, padding and dilation', () => {
  it('x=[1,1,5,5] k=2 s=2 p=1: i = oh·2 + kh, j = ow·2 + kw in padded coordinates', () => {
    // OH = floor((5 + 2 − 1 − 1)/2) + 1 = 3
    const idx = im2colIndices([1, 1, 5, 5], [2, 2], { stride: 2, padding: 1 });
    expect(rowsOf(idx.i, 9)).toEqual([
      [0, 0, 0, 2, 2, 2, 4, 4, 4],
      [0, 0, 0, 2, 2, 2, 4, 4, 4],
      [1, 1, 1, 3, 3, 3, 5, 5, 5],
      [1, 1, 1, 3, 3, 3, 5, 5, 5],
    ]);
    expect(rowsOf(idx.j, 9)).toEqual([
      [0, 2, 4, 0, 2, 4, 0, 2, 4],
      [1, 3, 5, 1, 3, 5, 1, 3, 5],
      [0, 2, 4, 0, 2, 4, 0, 2, 4],
      [1, 3, 5, 1, 3, 5, 1, 3, 5],
    ]);
    expect(Array.from(idx.d)).toEqual([0, 0, 0, 0]);
  });

  it('x=[1,2,4,5] k=[2,1] d=[2,1]: the kernel rows are two apart', () => {
    // OH = 4 − 2 = 2, OW = 5; rows: (c0,kh0), (c0,kh1), (c1,kh0), (c1,kh1)
    const idx = im2colIndices([1, 2, 4, 5], [2, 1], { dilation: [2, 1] });
    expect([idx.rows, idx.columns]).toEqual([4, 10]);
    expect(rowsOf(idx.i, 10)).toEqual([
      [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
      [2, 2, 2, 2, 2, 3, 3, 3, 3, 3],
      [0, 0, 0, 0, 0, 1, 1, 1, 1, 1],
      [2, 2, 2, 2, 2, 3, 3, 3, 3, 3],
    ]);
    expect(rowsOf(idx.j, 10)).toEqual(new Array(4).fill([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]));
    expect(Array.from(idx.d)).toEqual([0, 0, 1, 1]);
  });
});

describe('gatherWithIndices equals im2col', () => {
  it('over random geometries (padding, dilation, per-axis stride, N ≤ 3)', () => {
    fc.assert(
      fc.property(geometryArb, (p) => {
        const x = randomUniform([p.N, p.C, p.H, p.W], createRng(p.seed));
        const opts = {
          stride: [p.sh, p.sw] as [number, number],
          padding: [p.ph, p.pw] as [number, number],
          dilation: [p.dh, p.dw] as [number, number],
        };
        const idx = im2colIndices(x.shape, [p.KH, p.KW], opts);
        const gathered = gatherWithIndices(x, idx, [p.ph, p.pw]);
        const cols = im2col(x, [p.KH, p.KW], opts);
        expect(gathered.shape).toEqual(cols.shape);
        expect(Array.from(gathered.data)).toEqual(Array.from(cols.data));
      }),
      { numRuns: 100 },
    );
  });
});

describe('gatherWithIndices rejects mismatched input', () => {
  it('index matrices built for 3 channels, x with 2', () => {
    const idx = im2colIndices([1, 3, 4, 4], [2, 2]);
    expect(() => gatherWithIndices(tensor([1, 2, 4, 4]), idx, [0, 0])).toThrow(ConvConfigError);
    expect(() => gatherWithIndices(tensor([1, 2, 4, 4]), idx, [0, 0])).toThrow('x has 2 channels but the index matrices address channel 2');
  });

  it('index matrices built for 5×5, x of 4×4', () => {
    const idx = im2colIndices([1, 1, 5, 5], [2, 2]);
    expect(() => gatherWithIndices(tensor([1, 1, 4, 4]), idx, [0, 0])).toThrow(
      'the index matrices reach padded position (4, 4) but x [1, 1, 4, 4] with padding [0, 0] is only 4×4',
    );
  });

  it('a negative padding', () => {
    const idx = im2colIndices([1, 1, 4, 4], [2, 2]);
    expect(() => gatherWithIndices(tensor([1, 1, 4, 4]), idx, [-1, 0])).toThrow(
      'padding must be a [height, width] pair of non-negative integers, got [-1, 0]',
    );
  });

  it('im2colIndices validates the geometry like im2col', () => {
    expect(() => im2colIndices([1, 1, 3, 3], [2, 2], { stride: 0 })).toThrow('stride must be a positive integer, got 0');
  });
});
