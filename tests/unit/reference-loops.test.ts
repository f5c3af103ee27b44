import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { conv2dLoops } from '../../lib/reference/conv2d-loops.ts';
import type { Conv2dLoopEvent } from '../../lib/reference/conv2d-loops.ts';
import { col2imLoops } from '../../lib/reference/col2im-loops.ts';
import type { Col2imLoopEvent } from '../../lib/reference/col2im-loops.ts';
import type { LoopCursor } from '../../lib/trace/loop-cursor.ts';
import { conv2dNaive } from '../../lib/ops/conv2d-naive.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { col2im } from '../../lib/im2col/col2im.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { im2colLoops } from '../../lib/reference/im2col-loops.ts';
import type { PatchCopy } from '../../lib/im2col/im2col.ts';
import { gatherLoops } from '../../lib/reference/gather-loops.ts';
import { convGemmLoops } from '../../lib/reference/gemm-loops.ts';
import { matmul } from '../../lib/gemm.ts';
import { reshape } from '../../lib/tensor.ts';
import { gatherWithIndices, im2colIndices } from '../../lib/im2col/indices.ts';
import { convGeometry } from '../../lib/geometry.ts';
import { tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { convGeometryFields } from './helpers/arbitraries.ts';
import { expectConfigError } from './helpers/expect-config-error.ts';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A random valid geometry's tensors from a convGeometryFields record. */
function operands(p: {
  N: number;
  C: number;
  F: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  extraH: number;
  extraW: number;
  seed: number;
}) {
  const H = Math.max(1, (p.KH - 1) * p.dh + 1 + p.extraH - 2 * p.ph);
  const W = Math.max(1, (p.KW - 1) * p.dw + 1 + p.extraW - 2 * p.pw);
  const rng = createRng(p.seed);
  const x = randomUniform([p.N, p.C, H, W], rng);
  const w = randomUniform([p.F, p.C, p.KH, p.KW], rng);
  const b = randomUniform([p.F], rng);
  const opts = {
    stride: [p.sh, p.sw] as [number, number],
    padding: [p.ph, p.pw] as [number, number],
    dilation: [p.dh, p.dw] as [number, number],
  };
  return { x, w, b, opts };
}

describe('conv2dLoops, the readable direct convolution', () => {
  it('x=[1,1,3,3] k=2 s=1 p=0: the seed example 145 191 / 283 329', () => {
    const y = conv2dLoops(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), tensor([1, 1, 2, 2], [10, 11, 12, 13]), null);
    expect(y.shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(y.data)).toEqual([145, 191, 283, 329]);
  });

  it('equals conv2dNaive bit for bit and conv2d (the im2col path) to float tolerance on random geometries', () => {
    fc.assert(
      fc.property(fc.record(convGeometryFields(4)), (p) => {
        const { x, w, b, opts } = operands(p);
        const ref = conv2dLoops(x, w, b, opts);
        expect(bits(ref.data)).toEqual(bits(conv2dNaive(x, w, b, opts).data));
        const fast = conv2d(x, w, b, opts);
        expect(fast.shape).toEqual(ref.shape);
        fast.data.forEach((v, k) => expect(Math.abs(v - ref.data[k])).toBeLessThan(1e-4 * (1 + Math.abs(ref.data[k]))));
      }),
      { numRuns: 60 },
    );
  });

  it('reports every tap, skipped tap and store in loop order; replaying the events reproduces the output exactly', () => {
    fc.assert(
      fc.property(fc.record(convGeometryFields(3)), (p) => {
        const { x, w, b, opts } = operands(p);
        const events: [LoopCursor, Conv2dLoopEvent][] = [];
        const y = conv2dLoops(x, w, b, opts, (cursor, event) => events.push([cursor, event]));
        const g = convGeometry(x.shape, [p.KH, p.KW], opts);
        const replay = new Float32Array(y.data.length);
        let sum = 0;
        for (const [cursor, e] of events) {
          expect(cursor.mark).toBe(e.kind === 'tap' ? 'multiply' : e.kind);
          expect(cursor.vars.map(([name]) => name)).toEqual(
            e.kind === 'store' ? ['n', 'f', 'oh', 'ow'] : ['n', 'f', 'oh', 'ow', 'c', 'kh', 'kw'],
          );
          if (e.kind === 'store') {
            replay[((e.n * p.F + e.f) * g.OH + e.oh) * g.OW + e.ow] = sum;
            continue;
          }
          if (e.c === 0 && e.kh === 0 && e.kw === 0) sum = b.data[e.f];
          const inside = e.row >= 0 && e.row < g.H && e.col >= 0 && e.col < g.W;
          expect(e.kind).toBe(inside ? 'tap' : 'pad');
          if (inside) {
            expect(e.input).toBe(x.data[((e.n * g.C + e.c) * g.H + e.row) * g.W + e.col]);
            sum += e.input * e.weight;
          }
          expect(e.sum).toBe(sum);
        }
        expect(events.length).toBe(g.N * p.F * g.OH * g.OW * (g.C * p.KH * p.KW + 1));
        expect(bits(replay)).toEqual(bits(y.data));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses what conv2d refuses, naming the parameter', () => {
    expectConfigError(
      () => conv2dLoops(tensor([1, 1, 3, 3]), tensor([1, 1, 5, 2]), null),
      'kernel',
      /kernel 5×2 does not fit the padded input 3×3/,
    );
  });
});

describe('col2imLoops, the readable col2im', () => {
  it('equals col2im bit for bit on random geometries, and replaying its adds reproduces dx', () => {
    fc.assert(
      fc.property(fc.record(convGeometryFields(4)), (p) => {
        const { x, opts } = operands(p);
        const g = convGeometry(x.shape, [p.KH, p.KW], opts);
        const cols = randomUniform([g.C * p.KH * p.KW, g.N * g.OH * g.OW], createRng(p.seed + 1));
        const events: [LoopCursor, Col2imLoopEvent][] = [];
        const dx = col2imLoops(cols, x.shape, [p.KH, p.KW], opts, (cursor, e) => events.push([cursor, e]));
        expect(bits(dx.data)).toEqual(bits(col2im(cols, x.shape, [p.KH, p.KW], opts).data));
        const replay = new Float32Array(dx.data.length);
        let lastQ = -1;
        for (const [cursor, e] of events) {
          expect(cursor.mark).toBe(e.kind);
          expect(e.q).toBeGreaterThanOrEqual(lastQ);
          lastQ = e.q;
          if (e.kind === 'drop') continue;
          const k = ((e.n * g.C + e.c) * g.H + e.y) * g.W + e.x;
          expect(e.before).toBe(replay[k]);
          replay[k] = Math.fround(replay[k] + e.value);
          expect(e.after).toBe(replay[k]);
        }
        expect(events.length).toBe(cols.data.length);
        expect(bits(replay)).toEqual(bits(dx.data));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a matrix of the wrong shape, naming cols', () => {
    expectConfigError(() => col2imLoops(tensor([4, 3]), [1, 1, 3, 3], [2, 2]), 'cols', /cols must have shape/);
  });
});

describe('im2colLoops, the readable im2col (window by window)', () => {
  it('x=[1,1,3,3] k=2: the seed X_col, one column per window', () => {
    const cols = im2colLoops(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), [2, 2]);
    expect(cols.shape).toEqual([4, 4]);
    expect(Array.from(cols.data)).toEqual([1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9]);
  });

  it('equals im2col bit for bit on random geometries; its copies, replayed, rebuild the matrix', () => {
    fc.assert(
      fc.property(fc.record(convGeometryFields(4)), (p) => {
        const { x, opts } = operands(p);
        const events: [LoopCursor, PatchCopy][] = [];
        const cols = im2colLoops(x, [p.KH, p.KW], opts, (cursor, copy) => events.push([cursor, copy]));
        expect(bits(cols.data)).toEqual(bits(im2col(x, [p.KH, p.KW], opts).data));
        const g = convGeometry(x.shape, [p.KH, p.KW], opts);
        const Q = g.N * g.OH * g.OW;
        const replay = new Float32Array(cols.data.length);
        const copies = events.filter(([cursor]) => cursor.mark === 'copy');
        expect(events.length - copies.length).toBe(Q);
        expect(copies.length).toBe(cols.data.length);
        for (const [, copy] of copies) {
          const inside = !copy.padding;
          const i = copy.y - g.ph;
          const j = copy.x - g.pw;
          expect(copy.value).toBe(inside ? x.data[((copy.n * g.C + copy.c) * g.H + i) * g.W + j] : 0);
          replay[copy.row * Q + copy.column] = copy.value;
        }
        expect(bits(replay)).toEqual(bits(cols.data));
      }),
      { numRuns: 60 },
    );
  });
});

describe('gatherLoops, fancy indexing with i, j, d as plain loops', () => {
  it('equals gatherWithIndices and im2col bit for bit; its gathers, replayed, rebuild X_col in row order', () => {
    fc.assert(
      fc.property(fc.record(convGeometryFields(4)), (p) => {
        const { x, opts } = operands(p);
        const idx = im2colIndices(x.shape, [p.KH, p.KW], opts);
        const events: [LoopCursor, { kind: string; r: number; q: number; value: number }][] = [];
        const cols = gatherLoops(x, idx, [p.ph, p.pw], (cursor, e) => events.push([cursor, e]));
        expect(bits(cols.data)).toEqual(bits(gatherWithIndices(x, idx, [p.ph, p.pw]).data));
        expect(bits(cols.data)).toEqual(bits(im2col(x, [p.KH, p.KW], opts).data));
        const Q = cols.shape[1];
        const replay = new Float32Array(cols.data.length);
        let order = 0;
        for (const [cursor, e] of events) {
          expect(cursor.mark).toBe(e.kind);
          if (e.kind === 'row') continue;
          expect(e.r * Q + e.q).toBe(order++);
          replay[e.r * Q + e.q] = e.value;
        }
        expect(order).toBe(cols.data.length);
        expect(bits(replay)).toEqual(bits(cols.data));
      }),
      { numRuns: 60 },
    );
  });
});

describe('convGemmLoops, W_row × X_col and the reshape as plain loops', () => {
  it('the seed: W_row [10 11 12 13] × X_col gives Y = 145 191 283 329, reshaped to y [1, 1, 2, 2]', () => {
    const cols = im2col(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), [2, 2]);
    const { Y, y } = convGemmLoops(tensor([1, 4], [10, 11, 12, 13]), cols, [1, 2, 2]);
    expect(Array.from(Y.data)).toEqual([145, 191, 283, 329]);
    expect(y.shape).toEqual([1, 1, 2, 2]);
  });

  it('equals conv2dNaive bit for bit and matmul to float tolerance; replaying its terms gives every stored sum', () => {
    fc.assert(
      fc.property(fc.record(convGeometryFields(3)), (p) => {
        const { x, w, opts } = operands(p);
        const g = convGeometry(x.shape, [p.KH, p.KW], opts);
        const cols = im2col(x, [p.KH, p.KW], opts);
        const wRow = reshape(w, [p.F, g.C * p.KH * p.KW]);
        const events: [LoopCursor, { kind: string; f: number; q: number; product: number; sum: number }][] = [];
        const { Y, y } = convGemmLoops(wRow, cols, [g.N, g.OH, g.OW], (cursor, e) => events.push([cursor, e]));
        expect(bits(y.data)).toEqual(bits(conv2dNaive(x, w, null, opts).data));
        const fast = matmul(wRow, cols);
        fast.data.forEach((v, k) => expect(Math.abs(v - Y.data[k])).toBeLessThan(1e-4 * (1 + Math.abs(Y.data[k]))));
        let sum = 0;
        for (const [cursor, e] of events) {
          expect(cursor.mark).toBe(e.kind);
          if (e.kind === 'term') {
            sum += e.product;
            expect(e.sum).toBe(sum);
          } else if (e.kind === 'store') {
            expect(e.sum).toBe(Y.data[e.f * Y.shape[1] + e.q]);
            expect(e.sum).toBe(Math.fround(sum));
            sum = 0;
          }
        }
        expect(events.filter(([c]) => c.mark === 'reshape').length).toBe(g.N * p.F);
      }),
      { numRuns: 60 },
    );
  });
});
