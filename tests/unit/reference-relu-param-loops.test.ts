import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { reluBackwardLoops } from '../../lib/reference/relu-backward-loops.ts';
import type { ReluLoopEvent } from '../../lib/reference/relu-backward-loops.ts';
import { convParamGradientLoops } from '../../lib/reference/gemm-loops.ts';
import type { ParamGradientLoopEvent } from '../../lib/reference/gemm-loops.ts';
import type { LoopCursor } from '../../lib/trace/loop-cursor.ts';
import { reluBackward } from '../../lib/ops/relu.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { conv2dBackward } from '../../lib/ops/conv2d-backward.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { withGemmKernel } from '../../lib/gemm.ts';
import { tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { convGeometryFields } from './helpers/arbitraries.ts';
import { expectConfigError } from './helpers/expect-config-error.ts';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A random valid convolution: x, w, its pre-activation z (some entries ≤ 0) and an upstream gradient. */
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
  const x = randomUniform([p.N, p.C, H, W], rng, -1, 1);
  const w = randomUniform([p.F, p.C, p.KH, p.KW], rng, -1, 1);
  const opts = {
    stride: [p.sh, p.sw] as [number, number],
    padding: [p.ph, p.pw] as [number, number],
    dilation: [p.dh, p.dw] as [number, number],
  };
  const z = conv2d(x, w, null, opts);
  const dA = randomUniform(z.shape, rng, -2, 2);
  return { x, w, z, dA, opts };
}

describe('reluBackwardLoops, the ReLU mask as plain loops', () => {
  it('the seed: Z = −47 7 / 7 7 blocks the 1.23 and passes the rest', () => {
    const z = tensor([1, 1, 2, 2], [-47, 7, 7, 7]);
    const dZ = reluBackwardLoops(tensor([1, 1, 2, 2], [1.23, 3.59, 4.65, 0.81]), z);
    expect(Array.from(dZ.data)).toEqual([0, Math.fround(3.59), Math.fround(4.65), Math.fround(0.81)]);
  });

  it('equals reluBackward bit for bit (Z = 0 and NaN blocked, no −0) and reports every cell in NCHW order', () => {
    fc.assert(
      fc.property(fc.record(convGeometryFields(3)), (p) => {
        const { z, dA } = operands(p);
        z.data[0] = 0;
        if (z.data.length > 1) z.data[1] = Number.NaN;
        const events: [LoopCursor, ReluLoopEvent][] = [];
        const dZ = reluBackwardLoops(dA, z, (cursor, e) => events.push([cursor, e]));
        expect(bits(dZ.data)).toEqual(bits(reluBackward(dA, z).data));
        // Replaying the events rebuilds δ_Z.
        const replay = new Float32Array(dZ.data.length);
        events.forEach(([cursor, e], k) => {
          expect(e.k).toBe(k);
          expect(cursor.mark).toBe('gate');
          expect(cursor.vars).toEqual([
            ['n', e.n],
            ['f', e.f],
            ['oh', e.oh],
            ['ow', e.ow],
          ]);
          expect(e.passes).toBe(z.data[k] > 0);
          replay[k] = e.passes ? e.upstream : 0;
          expect(e.delta).toBe(replay[k]);
        });
        expect(events.length).toBe(z.data.length);
        expect(bits(replay)).toEqual(bits(dZ.data));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses an upstream gradient of another shape, naming dA', () => {
    expectConfigError(() => reluBackwardLoops(tensor([1, 1, 2, 3]), tensor([1, 1, 2, 2])), 'dA', /must have the shape of z/);
  });
});

describe('convParamGradientLoops, db and dW = dY_row × X_colᵀ as plain loops', () => {
  it('the seed: δ_Z = 0 3.59 / 4.65 0.81 and the 3×3 input with a 10 give db = 9.05 and dW[1,1] = 9.05', () => {
    const x = tensor([1, 1, 3, 3], [1, 1, 1, 1, 10, 1, 1, 1, 1]);
    const dZ = tensor([1, 1, 2, 2], [0, 3.59, 4.65, 0.81]);
    const { db, dW } = convParamGradientLoops(dZ, im2col(x, [2, 2]));
    expect(db.data[0]).toBeCloseTo(9.05, 5);
    expect(dW.shape).toEqual([1, 4]);
    expect(Array.from(dW.data, (v) => Number(v.toFixed(2)))).toEqual([16.34, 50.9, 41.36, 9.05]);
  });

  it('equals conv2dBackward’s db and dw bit for bit on the JS kernel, on random geometries', () => {
    fc.assert(
      fc.property(fc.record(convGeometryFields(3)), (p) => {
        const { x, w, z, dA, opts } = operands(p);
        const dZ = reluBackward(dA, z);
        const cols = im2col(x, [p.KH, p.KW], opts);
        const ref = convParamGradientLoops(dZ, cols);
        const fast = withGemmKernel('js', () => conv2dBackward(dZ, x, w, opts));
        expect(bits(ref.db.data)).toEqual(bits(fast.db.data));
        expect(bits(ref.dW.data)).toEqual(bits(fast.dw.data));
        // The WASM kernel sums in float32: equal to float tolerance.
        const wasm = conv2dBackward(dZ, x, w, opts);
        wasm.dw.data.forEach((v, k) => expect(Math.abs(v - ref.dW.data[k])).toBeLessThan(1e-4 * (1 + Math.abs(ref.dW.data[k]))));
      }),
      { numRuns: 40 },
    );
  });

  it('replaying its events rebuilds dY_row, db and dW exactly, in loop order', () => {
    fc.assert(
      fc.property(fc.record(convGeometryFields(2)), (p) => {
        const { x, z, dA, opts } = operands(p);
        const dZ = reluBackward(dA, z);
        const cols = im2col(x, [p.KH, p.KW], opts);
        const [N, F, OH, OW] = dZ.shape;
        const [R, Q] = cols.shape;
        const P = OH * OW;
        const events: [LoopCursor, ParamGradientLoopEvent][] = [];
        const out = convParamGradientLoops(dZ, cols, (cursor, e) => events.push([cursor, e]));
        const dyRow = new Float32Array(F * Q);
        const db = new Float32Array(F);
        const dW = new Float32Array(F * R);
        let sum = 0;
        for (const [cursor, e] of events) {
          expect(cursor.mark).toBe(e.kind);
          if (e.kind === 'rows') {
            for (let q = 0; q < P; q++) dyRow[e.f * Q + e.n * P + q] = dZ.data[(e.n * F + e.f) * P + q];
            expect(cursor.vars).toEqual([
              ['n', e.n],
              ['f', e.f],
            ]);
          } else if (e.kind === 'bias-term' || e.kind === 'term') {
            if (e.q === 0) sum = 0;
            expect(e.a).toBe(dyRow[e.f * Q + e.q]);
            if (e.kind === 'term') expect(e.b).toBe(cols.data[e.r * Q + e.q]);
            sum += e.kind === 'term' ? e.a * e.b : e.a;
            expect(e.sum).toBe(sum);
          } else if (e.kind === 'bias') {
            db[e.f] = sum;
            expect(e.sum).toBe(db[e.f]);
          } else {
            dW[e.f * R + e.r] = sum;
            expect(cursor.vars).toEqual([
              ['f', e.f],
              ['r', e.r],
            ]);
          }
        }
        expect(events.length).toBe(N * F + F * (Q + 1) + F * R * (Q + 1));
        expect(bits(dyRow)).toEqual(bits(out.dyRow.data));
        expect(bits(db)).toEqual(bits(out.db.data));
        expect(bits(dW)).toEqual(bits(out.dW.data));
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a matrix whose columns are not the windows of dy, naming cols', () => {
    expectConfigError(() => convParamGradientLoops(tensor([1, 1, 2, 2]), tensor([4, 5])), 'cols', /must have N·OH·OW = 4 columns/);
  });
});
