import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { convGeometryFields } from './helpers/arbitraries.ts';
import { conv2dBackward } from '../../lib/ops/conv2d-backward.ts';
import type { BackwardMethod } from '../../lib/ops/check-conv.ts';
import type { ConvOptions } from '../../lib/geometry.ts';
import { tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { expectConfigError } from './helpers/expect-config-error.ts';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);
const methods: BackwardMethod[] = ['col2im', 'dilated'];

/** Largest |a − e| / (atol + rtol·|e|); ≤ 1 means within tolerance (NaN never is). */
function worst(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): number {
  expect(actual.length).toBe(expected.length);
  let w = 0;
  for (let k = 0; k < actual.length; k++) {
    const e = Math.abs(actual[k] - expected[k]) / (atol + rtol * Math.abs(expected[k]));
    if (Number.isNaN(e)) return Infinity;
    if (e > w) w = e;
  }
  return w;
}

describe.each(methods)("method '%s': hand-computed gradients", (method) => {
  it('x=[1,1,4,4] k=2 s=2 (the seed example): dy [[2,1],[3,5]] with W [[1,2],[3,4]]', () => {
    const x = tensor([1, 1, 4, 4], range(1, 16));
    const w = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const dy = tensor([1, 1, 2, 2], [2, 1, 3, 5]);
    const { dx, dw, db } = conv2dBackward(dy, x, w, { stride: 2 }, { method });
    // The windows do not overlap: each 2×2 block of dx is dy[a][b]·W.
    expect(dx.shape).toEqual([1, 1, 4, 4]);
    expect([...dx.data]).toEqual([2, 4, 1, 2, 6, 8, 3, 4, 3, 6, 5, 10, 9, 12, 15, 20]);
    // dw[u][v] = Σ dy[a][b]·x[2a+u][2b+v], e.g. dw[0][0] = 2·1 + 1·3 + 3·9 + 5·11 = 87.
    expect(dw.shape).toEqual([1, 1, 2, 2]);
    expect([...dw.data]).toEqual([87, 98, 131, 142]);
    expect(db.shape).toEqual([1]);
    expect([...db.data]).toEqual([11]);
  });

  it('x=[1,1,3,3] k=3 p=1, dy of ones: dx counts the windows over each pixel, dw sums neighbourhoods', () => {
    const x = tensor([1, 1, 3, 3], range(1, 9));
    const w = tensor([1, 1, 3, 3], Array(9).fill(1));
    const dy = tensor([1, 1, 3, 3], Array(9).fill(1));
    const { dx, dw, db } = conv2dBackward(dy, x, w, { padding: 1 }, { method });
    expect([...dx.data]).toEqual([4, 6, 4, 6, 9, 6, 4, 6, 4]);
    expect([...dw.data]).toEqual([12, 21, 16, 27, 45, 33, 24, 39, 28]);
    expect([...db.data]).toEqual([9]);
  });

  it('x=[1,1,4,4] k=1 s=2: stride larger than the kernel leaves gaps, and the last row and column get zero', () => {
    const x = tensor([1, 1, 4, 4], range(1, 16));
    const w = tensor([1, 1, 1, 1], [3]);
    const dy = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const { dx, dw } = conv2dBackward(dy, x, w, { stride: 2 }, { method });
    expect([...dx.data]).toEqual([3, 0, 6, 0, 0, 0, 0, 0, 9, 0, 12, 0, 0, 0, 0, 0]);
    expect([...dw.data]).toEqual([1 * 1 + 2 * 3 + 3 * 9 + 4 * 11]);
  });

  it('x=[1,1,2,3] k=[1,2] p=[1,0]: the padded rows give nothing back', () => {
    const x = tensor([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]);
    const w = tensor([1, 1, 1, 2], [1, 10]);
    // output is 4×2; rows 0 and 3 read only padding
    const dy = tensor([1, 1, 4, 2], [100, 100, 1, 2, 3, 4, 100, 100]);
    const { dx, dw, db } = conv2dBackward(dy, x, w, { padding: [1, 0] }, { method });
    // dx[i][j] = Σ dy[i+1][ow]·w[j − ow]: row 0 → [1, 10+2, 20], row 1 → [3, 30+4, 40]
    expect([...dx.data]).toEqual([1, 12, 20, 3, 34, 40]);
    // dw[0] = Σ dy·x[·][ow], dw[1] = Σ dy·x[·][ow+1] over the real rows
    expect([...dw.data]).toEqual([1 * 1 + 2 * 2 + 3 * 4 + 4 * 5, 1 * 2 + 2 * 3 + 3 * 5 + 4 * 6]);
    expect([...db.data]).toEqual([410]);
  });

  it('x=[2,2,2,2] k=1, two filters: dx mixes filters per channel, dw and db sum over the batch', () => {
    const x = tensor([2, 2, 2, 2], range(1, 16));
    const w = tensor([2, 2, 1, 1], [1, 2, 3, 4]); // w[f][c]
    const dy = tensor([2, 2, 2, 2], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    const { dx, dw, db } = conv2dBackward(dy, x, w, {}, { method });
    // dx[n][c][p] = Σ_f w[f][c]·dy[n][f][p]
    expect([...dx.data]).toEqual([1, 3, 0, 0, 2, 4, 0, 0, 0, 0, 1, 3, 0, 0, 2, 4]);
    // dw[f][c] = Σ_n Σ_p dy[n][f][p]·x[n][c][p]
    expect([...dw.data]).toEqual([1 + 11, 5 + 15, 2 + 12, 6 + 16]);
    expect([...db.data]).toEqual([2, 2]);
  });
});

it("the default method is 'col2im' and gives the same bits as asking for it", () => {
  const rng = createRng(5);
  const x = randomUniform([2, 2, 6, 5], rng);
  const w = randomUniform([3, 2, 3, 2], rng);
  const dy = randomUniform([2, 3, 2, 6], rng);
  const opts: ConvOptions = { stride: [2, 1], padding: [0, 1] };
  const byDefault = conv2dBackward(dy, x, w, opts);
  const asked = conv2dBackward(dy, x, w, opts, { method: 'col2im' });
  expect(byDefault.dx.data).toEqual(asked.dx.data);
  expect(byDefault.dw.data).toEqual(asked.dw.data);
});

/* ---------- random geometries: the two methods, and finite differences in float64 ---------- */

interface Geo {
  N: number;
  C: number;
  H: number;
  W: number;
  F: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  OH: number;
  OW: number;
}

/**
 * L = Σ dy · conv(x, w, b), by direct loops in float64 over plain number arrays: an independent
 * forward, used only to differentiate numerically.
 */
function loss64(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number>, dy: ArrayLike<number>, g: Geo): number {
  let L = 0;
  for (let n = 0; n < g.N; n++) {
    for (let f = 0; f < g.F; f++) {
      for (let oh = 0; oh < g.OH; oh++) {
        for (let ow = 0; ow < g.OW; ow++) {
          let y = b[f];
          for (let c = 0; c < g.C; c++) {
            for (let kh = 0; kh < g.KH; kh++) {
              for (let kw = 0; kw < g.KW; kw++) {
                const i = oh * g.sh + kh * g.dh - g.ph;
                const j = ow * g.sw + kw * g.dw - g.pw;
                if (i < 0 || i >= g.H || j < 0 || j >= g.W) continue;
                y += w[((f * g.C + c) * g.KH + kh) * g.KW + kw] * x[((n * g.C + c) * g.H + i) * g.W + j];
              }
            }
          }
          L += dy[((n * g.F + f) * g.OH + oh) * g.OW + ow] * y;
        }
      }
    }
  }
  return L;
}

const geometry = fc.record(convGeometryFields()).map((r): Geo & { seed: number } => {
  // the smallest input the dilated kernel fits, plus a random margin
  const H = Math.max(1, r.dh * (r.KH - 1) + 1 - 2 * r.ph) + r.extraH;
  const W = Math.max(1, r.dw * (r.KW - 1) + 1 - 2 * r.pw) + r.extraW;
  const OH = Math.floor((H + 2 * r.ph - r.dh * (r.KH - 1) - 1) / r.sh) + 1;
  const OW = Math.floor((W + 2 * r.pw - r.dw * (r.KW - 1) - 1) / r.sw) + 1;
  return { ...r, H, W, OH, OW };
});

function problem(g: Geo & { seed: number }) {
  const rng = createRng(g.seed);
  const x = randomUniform([g.N, g.C, g.H, g.W], rng);
  const w = randomUniform([g.F, g.C, g.KH, g.KW], rng);
  const b = randomUniform([g.F], rng);
  const dy = randomUniform([g.N, g.F, g.OH, g.OW], rng);
  const opts: ConvOptions = { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] };
  return { rng, x, w, b, dy, opts };
}

describe('random geometries (per-axis stride 1–3, padding 0–2, dilation 1–3, rectangular kernels)', () => {
  it("the 'col2im' and 'dilated' input gradients agree, and dw, db do not depend on the method", () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const { x, w, dy, opts } = problem(g);
        const a = conv2dBackward(dy, x, w, opts, { method: 'col2im' });
        const d = conv2dBackward(dy, x, w, opts, { method: 'dilated' });
        expect(a.dx.shape).toEqual([g.N, g.C, g.H, g.W]);
        expect(d.dx.shape).toEqual([g.N, g.C, g.H, g.W]);
        expect(worst(d.dx.data, a.dx.data, 1e-5, 1e-5)).toBeLessThanOrEqual(1);
        expect(d.dw.data).toEqual(a.dw.data);
        expect(d.db.data).toEqual(a.db.data);
      }),
      { numRuns: 100, seed: 77 },
    );
  });

  it.each(methods)("method '%s': dx, dw, db match central differences of L = Σ dy·conv(x, w, b) in float64", (method) => {
    fc.assert(
      fc.property(geometry, (g) => {
        const { rng, x, w, b, dy, opts } = problem(g);
        const grads = conv2dBackward(dy, x, w, opts, { method });
        expect(grads.dx.shape).toEqual([g.N, g.C, g.H, g.W]);
        expect(grads.dw.shape).toEqual([g.F, g.C, g.KH, g.KW]);
        expect(grads.db.shape).toEqual([g.F]);
        const abs = (a: ArrayLike<number>) => Array.from(a, Math.abs);
        const base = [Array.from(x.data), Array.from(w.data), Array.from(b.data)];
        const absBase = base.map(abs);
        const absDy = abs(dy.data);
        const engine = [grads.dx.data, grads.dw.data, grads.db.data];
        for (let which = 0; which < 3; which++) {
          const size = base[which].length;
          // a random direction, then a few coordinate directions
          const directions: number[][] = [Array.from({ length: size }, () => 2 * rng() - 1)];
          for (let s = 0; s < 3; s++) {
            const e = new Array<number>(size).fill(0);
            e[Math.floor(rng() * size)] = 1;
            directions.push(e);
          }
          for (const v of directions) {
            // L is linear in each argument, so the central difference is exact up to float64 rounding.
            const h = 0.5;
            const moved = (sign: number, args: number[][], dir: number[]) =>
              args.map((a, k) => (k === which ? a.map((value, i) => value + sign * h * dir[i]) : a));
            const L = (args: number[][], d: ArrayLike<number>) => loss64(args[0], args[1], args[2], d, g);
            const fd = (L(moved(1, base, v), dy.data) - L(moved(-1, base, v), dy.data)) / (2 * h);
            // the same with every value made positive: the sum of |terms| behind these gradients,
            // which bounds the float32 rounding of the engine's sums
            const absV = abs(v);
            const scale = (L(moved(1, absBase, absV), absDy) - L(moved(-1, absBase, absV), absDy)) / (2 * h);
            let projected = 0;
            for (let i = 0; i < size; i++) projected += engine[which][i] * v[i];
            expect(Math.abs(projected - fd)).toBeLessThanOrEqual(1e-5 * scale + 1e-9);
          }
        }
      }),
      { numRuns: 60, seed: method === 'col2im' ? 11 : 12 },
    );
  });
});

describe('invalid calls throw ConvConfigError', () => {
  const x = tensor([1, 2, 5, 5]);
  const w = tensor([3, 2, 3, 3]);

  it('dy [1, 3, 2, 2] when the forward output is [1, 3, 3, 3]', () =>
    expectConfigError(() => conv2dBackward(tensor([1, 3, 2, 2]), x, w), 'dy', '[N, F, OH, OW] = [1, 3, 3, 3]', 'got [1, 3, 2, 2]'));
  it('dy [1, 3, 3, 3] when stride 2 makes the output [1, 3, 2, 2]', () =>
    expectConfigError(() => conv2dBackward(tensor([1, 3, 3, 3]), x, w, { stride: 2 }), 'dy', '= [1, 3, 2, 2]', 'got [1, 3, 3, 3]'));
  it('dy of rank 3', () => expectConfigError(() => conv2dBackward(tensor([3, 3, 3]), x, w), 'dy', '= [1, 3, 3, 3]', 'got [3, 3, 3]'));
  it('dy data length 26 for shape [1, 3, 3, 3]', () =>
    expectConfigError(
      () => conv2dBackward({ shape: [1, 3, 3, 3], data: new Float32Array(26) }, x, w),
      'dy',
      'dy data length must equal the product of its shape [1, 3, 3, 3] = 27, got 26',
    ));
  it("method 'im2col'", () =>
    expectConfigError(
      () => conv2dBackward(tensor([1, 3, 3, 3]), x, w, {}, { method: 'im2col' as BackwardMethod }),
      'method',
      `method must be 'col2im' or 'dilated', got "im2col"`,
    ));
  it('stride 0', () =>
    expectConfigError(
      () => conv2dBackward(tensor([1, 3, 3, 3]), x, w, { stride: 0 }),
      'stride',
      'stride must be a positive integer, got 0',
    ));
  it('w has 3 input channels but x has 2', () =>
    expectConfigError(() => conv2dBackward(tensor([1, 1, 3, 3]), x, tensor([1, 3, 3, 3])), 'w', 'w has 3 input channels but x has 2'));
  it('x of rank 3', () => expectConfigError(() => conv2dBackward(tensor([1, 3, 3, 3]), tensor([2, 5, 5]), w), 'x', '4-D', 'rank 3'));
});
