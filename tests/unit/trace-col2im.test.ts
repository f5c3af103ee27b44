import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { traceCol2im } from '../../lib/trace/col2im-trace.ts';
import type { Col2imTrace } from '../../lib/trace/col2im-trace.ts';
import { col2im } from '../../lib/im2col/col2im.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { tensor, toNested } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { unfoldGeometryArb } from './helpers/arbitraries.ts';

const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/**
 * Replays the adds in order into a zero image, checking each one: the pixel holds `before`, and
 * `after` is the float32 sum `fround(before + value)`. Dropped adds touch nothing.
 */
function replay(trace: Col2imTrace): Float32Array {
  const { N, C, H, W, ph, pw } = trace.geometry;
  const dx = new Float32Array(N * C * H * W);
  for (const add of trace.steps) {
    const y = add.y - ph;
    const x = add.x - pw;
    const inside = y >= 0 && y < H && x >= 0 && x < W;
    expect(add.dropped).toBe(!inside);
    if (add.dropped) continue;
    const k = ((add.n * C + add.c) * H + y) * W + x;
    expect(add.before).toBe(dx[k]);
    expect(add.after).toBe(Math.fround(add.before + add.value));
    dx[k] = add.after;
  }
  return dx;
}

/** The image after the adds of columns 0…`last`, taken from the trace's `after` values. */
function replayColumns(trace: Col2imTrace, last: number): Float32Array {
  const { N, C, H, W, ph, pw } = trace.geometry;
  const dx = new Float32Array(N * C * H * W);
  for (const group of trace.columns.slice(0, last + 1)) {
    for (const add of group.adds) {
      if (!add.dropped) dx[((add.n * C + add.c) * H + (add.y - ph)) * W + (add.x - pw)] = add.after;
    }
  }
  return dx;
}

const geometryArb = unfoldGeometryArb(6);

describe('col2im trace on x=[1,1,3,3] k=2 s=1', () => {
  const cols = tensor([4, 4], range(1, 16));
  const trace = traceCol2im(cols, [1, 1, 3, 3], [2, 2]);

  it('coverage: the centre pixel is touched by 4 windows, the corners by 1', () => {
    expect(toNested(trace.coverage)).toEqual([
      [
        [
          [1, 2, 1],
          [2, 4, 2],
          [1, 2, 1],
        ],
      ],
    ]);
  });

  it('one step per matrix entry, window by window (column by column), none dropped', () => {
    expect(trace.steps.length).toBe(16);
    // column q, then row r inside it: cols[r][q] is entry r·4 + q of 1..16
    expect(trace.steps.map((s) => [s.column, s.row])).toEqual(range(0, 16).map((k) => [Math.floor(k / 4), k % 4]));
    expect(trace.steps.every((s) => !s.dropped)).toBe(true);
  });

  it('the centre pixel receives cols[3][0], cols[2][1], cols[1][2], cols[0][3] in that order', () => {
    // window 0 touches the centre with its last tap, window 3 with its first: 13, then 10, 7, 4
    const centre = trace.steps.filter((s) => s.y === 1 && s.x === 1);
    expect(centre.map((s) => [s.row, s.column, s.value, s.before, s.after])).toEqual([
      [3, 0, 13, 0, 13],
      [2, 1, 10, 13, 23],
      [1, 2, 7, 23, 30],
      [0, 3, 4, 30, 34],
    ]);
  });

  it('dx is col2im’s output and the replay reproduces it', () => {
    const expected = col2im(cols, [1, 1, 3, 3], [2, 2]);
    expect(bits(trace.dx.data)).toEqual(bits(expected.data));
    expect(bits(replay(trace))).toEqual(bits(expected.data));
  });

  it('columns group the adds per window', () => {
    expect(trace.columns.map((c) => [c.column, c.n, c.oh, c.ow, c.originY, c.originX])).toEqual([
      [0, 0, 0, 0, 0, 0],
      [1, 0, 0, 1, 0, 1],
      [2, 0, 1, 0, 1, 0],
      [3, 0, 1, 1, 1, 1],
    ]);
    // column 0 holds cols[r][0] = 1, 5, 9, 13 going to the top-left 2×2 block
    expect(trace.columns[0].adds.map((a) => [a.value, a.y, a.x])).toEqual([
      [1, 0, 0],
      [5, 0, 1],
      [9, 1, 0],
      [13, 1, 1],
    ]);
  });

  it('replaying the columns one per step shows the engine’s running values', () => {
    // column 1 (window at 0,1) adds 2, 6, 10, 14 onto what column 0 left: 5 at (0,1), 13 at (1,1)
    expect(trace.columns[1].adds.map((a) => [a.y, a.x, a.value, a.before, a.after])).toEqual([
      [0, 1, 2, 5, 7],
      [0, 2, 6, 0, 6],
      [1, 1, 10, 13, 23],
      [1, 2, 14, 0, 14],
    ]);
    expect(trace.columns.flatMap((c) => c.adds)).toEqual(trace.steps);
  });
});

describe('col2im trace with padding x=[1,1,2,2] k=2 p=1', () => {
  const trace = traceCol2im(tensor([4, 9], new Array(36).fill(1)), [1, 1, 2, 2], [2, 2], { padding: 1 });

  it('20 of the 36 adds fall on the border and are dropped', () => {
    expect(trace.steps.length).toBe(36);
    expect(trace.steps.filter((s) => s.dropped).length).toBe(20);
    for (const s of trace.steps.filter((t) => t.dropped)) expect([s.before, s.after]).toEqual([0, 0]);
  });

  it('coverage counts only the kept adds: every pixel is in 4 windows', () => {
    expect(toNested(trace.coverage)).toEqual([
      [
        [
          [4, 4],
          [4, 4],
        ],
      ],
    ]);
  });
});

describe('replaying the col2im trace reproduces col2im bit for bit', () => {
  it('over random geometries', () => {
    fc.assert(
      fc.property(geometryArb, (p) => {
        const opts = {
          stride: [p.sh, p.sw] as [number, number],
          padding: [p.ph, p.pw] as [number, number],
          dilation: [p.dh, p.dw] as [number, number],
        };
        const xShape = [p.N, p.C, p.H, p.W];
        const rng = createRng(p.seed);
        const probe = im2col(tensor(xShape, new Float32Array(p.N * p.C * p.H * p.W).fill(1)), [p.KH, p.KW], opts);
        const cols = randomUniform(probe.shape, rng);
        const trace = traceCol2im(cols, xShape, [p.KH, p.KW], opts);
        const expected = col2im(cols, xShape, [p.KH, p.KW], opts);

        expect(trace.dx.shape).toEqual(xShape);
        expect(bits(trace.dx.data)).toEqual(bits(expected.data));
        expect(bits(replay(trace))).toEqual(bits(expected.data));
        expect(trace.steps.length).toBe(cols.data.length);
        // step k is entry (r, q) with q = ⌊k / R⌋ and r = k mod R: window by window
        const [R, Q] = cols.shape;
        trace.steps.forEach((s, k) => {
          expect([s.column, s.row]).toEqual([Math.floor(k / R), k % R]);
          expect(s.value).toBe(cols.data[s.row * Q + s.column]);
        });

        // coverage = col2im of an all-ones matrix, an independent count
        const ones = tensor(probe.shape, new Float32Array(probe.data.length).fill(1));
        expect(bits(trace.coverage.data)).toEqual(bits(col2im(ones, xShape, [p.KH, p.KW], opts).data));

        // the per-column groups partition the steps; each column is one window
        const { OH, OW } = trace.geometry;
        expect(trace.columns.length).toBe(p.N * OH * OW);
        let total = 0;
        for (const group of trace.columns) {
          expect(group.adds.length).toBe(p.C * p.KH * p.KW);
          total += group.adds.length;
          for (const a of group.adds) {
            expect([a.column, a.n, a.oh, a.ow]).toEqual([group.column, group.n, group.oh, group.ow]);
            expect([a.y, a.x]).toEqual([group.originY + a.kh * p.dh, group.originX + a.kw * p.dw]);
            // dropped exactly where im2col copied from the padding
            expect(a.dropped).toBe(probe.data[a.row * probe.shape[1] + a.column] === 0);
          }
        }
        expect(total).toBe(trace.steps.length);
        expect(trace.columns.flatMap((c) => c.adds)).toEqual(trace.steps);

        // after column q, the replay holds col2im of cols with every later column zeroed
        const q = Math.floor(Q / 2);
        const upTo = replayColumns(trace, q);
        const kept = tensor(
          cols.shape,
          Array.from(cols.data, (v, k) => (k % Q <= q ? v : 0)),
        );
        expect(Array.from(upTo, (v) => v + 0)).toEqual(Array.from(col2im(kept, xShape, [p.KH, p.KW], opts).data, (v) => v + 0));
      }),
      { numRuns: 60 },
    );
  });
});

describe('col2im trace rejects', () => {
  it('a cols matrix of the wrong shape, like col2im', () => {
    let caught: unknown;
    try {
      traceCol2im(tensor([4, 5]), [1, 1, 3, 3], [2, 2]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ConvConfigError);
    expect((caught as ConvConfigError).message).toBe('cols must have shape [C·KH·KW, N·OH·OW] = [4, 4] for this geometry, got [4, 5]');
  });

  it('a trace larger than maxEvents', () => {
    expect(() => traceCol2im(tensor([4, 4]), [1, 1, 3, 3], [2, 2], { maxEvents: 10 })).toThrow(
      'this trace would record 16 adds, more than maxEvents = 10; use a smaller input or raise maxEvents',
    );
  });
});
