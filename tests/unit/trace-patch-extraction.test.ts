import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { tracePatchExtraction } from '../../lib/trace/patch-extraction.ts';
import type { PatchExtractionTrace } from '../../lib/trace/patch-extraction.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { unfoldGeometryArb } from './helpers/arbitraries.ts';

const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);

/** The raw bits of a float32 buffer, so that comparisons are bitwise (0 vs −0, NaN payloads). */
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Replays the patch steps into a zero matrix: one column per step. */
function replaySteps(trace: PatchExtractionTrace): Float32Array {
  const [rows, columns] = trace.cols.shape;
  const out = new Float32Array(rows * columns);
  for (const step of trace.steps) {
    for (const copy of step.copies) out[copy.row * columns + step.column] = copy.value;
  }
  return out;
}

const geometryArb = unfoldGeometryArb(6);

describe('patch-extraction trace on the seed example x=[1,1,3,3] 1..9 k=2', () => {
  const x = tensor([1, 1, 3, 3], range(1, 9));
  const trace = tracePatchExtraction(x, [2, 2]);

  it('one step per window, in column order', () => {
    expect(trace.steps.map((s) => [s.column, s.n, s.oh, s.ow])).toEqual([
      [0, 0, 0, 0],
      [1, 0, 0, 1],
      [2, 0, 1, 0],
      [3, 0, 1, 1],
    ]);
    expect(trace.steps.map((s) => [s.originY, s.originX])).toEqual([
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ]);
  });

  it('step q copies the window’s patch: [1,2,4,5], [2,3,5,6], [4,5,7,8], [5,6,8,9]', () => {
    expect(trace.steps.map((s) => s.copies.map((c) => c.value))).toEqual([
      [1, 2, 4, 5],
      [2, 3, 5, 6],
      [4, 5, 7, 8],
      [5, 6, 8, 9],
    ]);
  });

  it('each copy names its source in padded coordinates and its kernel tap', () => {
    const last = trace.steps[3].copies;
    expect(last.map((c) => [c.row, c.kh, c.kw, c.y, c.x, c.padding])).toEqual([
      [0, 0, 0, 1, 1, false],
      [1, 0, 1, 1, 2, false],
      [2, 1, 0, 2, 1, false],
      [3, 1, 1, 2, 2, false],
    ]);
  });

  it('the raw copies come in the engine’s order: row by row', () => {
    expect(trace.copies.length).toBe(16);
    expect(trace.copies.map((c) => [c.row, c.column])).toEqual(range(0, 16).map((k) => [Math.floor(k / 4), k % 4]));
  });

  it('replaying the steps rebuilds im2col(x)', () => {
    expect(bits(replaySteps(trace))).toEqual(bits(im2col(x, [2, 2]).data));
  });
});

describe('patch-extraction trace with padding x=[1,1,2,2] k=2 p=1', () => {
  const trace = tracePatchExtraction(tensor([1, 1, 2, 2], [1, 2, 3, 4]), [2, 2], { padding: 1 });

  it('the first window sees three border zeros and pixel (0,0)', () => {
    const first = trace.steps[0];
    expect(first.copies.map((c) => [c.y, c.x, c.padding, c.value])).toEqual([
      [0, 0, true, 0],
      [0, 1, true, 0],
      [1, 0, true, 0],
      [1, 1, false, 1],
    ]);
  });

  it('the centre window sees only real pixels', () => {
    expect(trace.steps[4].copies.every((c) => !c.padding)).toBe(true);
    expect(trace.steps[4].copies.map((c) => c.value)).toEqual([1, 2, 3, 4]);
  });
});

describe('replaying the trace reproduces im2col bit for bit', () => {
  it('over random geometries', () => {
    fc.assert(
      fc.property(geometryArb, (p) => {
        const x = randomUniform([p.N, p.C, p.H, p.W], createRng(p.seed));
        const opts = {
          stride: [p.sh, p.sw] as [number, number],
          padding: [p.ph, p.pw] as [number, number],
          dilation: [p.dh, p.dw] as [number, number],
        };
        const trace = tracePatchExtraction(x, [p.KH, p.KW], opts);
        const expected = im2col(x, [p.KH, p.KW], opts);
        const { OH, OW, H, W, ph, pw } = trace.geometry;
        const rows = p.C * p.KH * p.KW;

        expect(trace.cols.shape).toEqual(expected.shape);
        expect(bits(trace.cols.data)).toEqual(bits(expected.data));
        expect(bits(replaySteps(trace))).toEqual(bits(expected.data));

        // the raw per-copy events also rebuild it, one cell each
        const fromCopies = new Float32Array(expected.data.length).fill(NaN);
        for (const c of trace.copies) fromCopies[c.row * expected.shape[1] + c.column] = c.value;
        expect(bits(fromCopies)).toEqual(bits(expected.data));

        expect(trace.steps.length).toBe(p.N * OH * OW);
        for (const step of trace.steps) {
          expect(step.column).toBe((step.n * OH + step.oh) * OW + step.ow);
          expect(step.copies.map((c) => c.row)).toEqual(range(0, rows));
          for (const c of step.copies) {
            expect([c.column, c.n, c.oh, c.ow]).toEqual([step.column, step.n, step.oh, step.ow]);
            expect(c.y).toBe(step.originY + c.kh * p.dh);
            expect(c.x).toBe(step.originX + c.kw * p.dw);
            const outside = c.y < ph || c.y >= ph + H || c.x < pw || c.x >= pw + W;
            expect(c.padding).toBe(outside);
            if (outside) expect(c.value).toBe(0);
            else expect(c.value).toBe(x.data[((c.n * p.C + c.c) * H + (c.y - ph)) * W + (c.x - pw)]);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('patch-extraction trace rejects', () => {
  it('invalid input, like im2col', () => {
    expect(() => tracePatchExtraction(tensor([3, 3]), [2, 2])).toThrow('x must be a 4-D tensor [N, C, H, W], got shape [3, 3] (rank 2)');
    expect(() => tracePatchExtraction(tensor([1, 1, 3, 3]), [2, 2], { stride: 0 })).toThrow(ConvConfigError);
  });

  it('a trace larger than maxEvents', () => {
    // 4 rows × 4 columns = 16 copies
    expect(() => tracePatchExtraction(tensor([1, 1, 3, 3]), [2, 2], { maxEvents: 15 })).toThrow(
      'this trace would record 16 copies, more than maxEvents = 15; use a smaller input or raise maxEvents',
    );
    expect(tracePatchExtraction(tensor([1, 1, 3, 3]), [2, 2], { maxEvents: 16 }).copies.length).toBe(16);
    expect(() => tracePatchExtraction(tensor([1, 1, 3, 3]), [2, 2], { maxEvents: 0 })).toThrow(
      'maxEvents must be a positive integer, got 0',
    );
  });
});
