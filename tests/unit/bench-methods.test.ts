import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { convGeometryFields } from './helpers/arbitraries.ts';
import { conv2dBackwardNaive } from '../../lib/bench/naive-backward.ts';
import {
  CPU_METHODS,
  IM2COL_METHOD,
  IM2COL_WASM_METHOD,
  NAIVE_METHOD,
  availableCpuMethods,
  referenceResults,
} from '../../lib/bench/cpu-methods.ts';
import { withGemmKernel } from '../../lib/gemm.ts';
import { BENCH_CASES, benchCase } from '../../lib/bench/cases.ts';
import { makeCaseInputs } from '../../lib/bench/inputs.ts';
import type { Pass } from '../../lib/bench/inputs.ts';
import { relativeError } from '../../lib/bench/agreement.ts';
import { conv2dBackward } from '../../lib/ops/conv2d-backward.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { tensor } from '../../lib/tensor.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';

describe('conv2dBackwardNaive', () => {
  it('reproduces the slides’ input-gradient example by hand: x 4×4, w [[1,2],[3,4]], stride 2, dZ [[2,1],[3,5]]', () => {
    const x = tensor(
      [1, 1, 4, 4],
      Array.from({ length: 16 }, (_, k) => k + 1),
    );
    const w = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const dy = tensor([1, 1, 2, 2], [2, 1, 3, 5]);
    const { dx, dw, db } = conv2dBackwardNaive(dy, x, w, { stride: 2 });
    // Windows do not overlap: each 2×2 block of dx is its dZ entry times w.
    expect([...dx.data]).toEqual([2, 4, 1, 2, 6, 8, 3, 4, 3, 6, 5, 10, 9, 12, 15, 20]);
    // dW = 2·[1 2;5 6] + 1·[3 4;7 8] + 3·[9 10;13 14] + 5·[11 12;15 16]
    expect([...dw.data]).toEqual([87, 98, 131, 142]);
    expect([...db.data]).toEqual([11]);
    expect(dx.shape).toEqual([1, 1, 4, 4]);
    expect(dw.shape).toEqual([1, 1, 2, 2]);
  });

  it('sums overlapping windows: x 1×3, k 2, stride 1 gives dx = [w0·g0, w1·g0 + w0·g1, w1·g1]', () => {
    const x = tensor([1, 1, 1, 3], [1, 2, 3]);
    const w = tensor([1, 1, 1, 2], [10, 100]);
    const dy = tensor([1, 1, 1, 2], [1, 2]);
    const { dx, dw } = conv2dBackwardNaive(dy, x, w);
    expect([...dx.data]).toEqual([10, 100 + 20, 200]);
    expect([...dw.data]).toEqual([1 * 1 + 2 * 2, 2 * 1 + 3 * 2]);
  });

  it('agrees with conv2dBackward (col2im) for random geometries with stride, padding and dilation', () => {
    fc.assert(
      fc.property(fc.record(convGeometryFields(4)), (p) => {
        const H = p.dh * (p.KH - 1) + 1 + p.extraH - 2 * p.ph;
        const W = p.dw * (p.KW - 1) + 1 + p.extraW - 2 * p.pw;
        fc.pre(H >= 1 && W >= 1);
        const rng = createRng(p.seed);
        const opts = {
          stride: [p.sh, p.sw] as [number, number],
          padding: [p.ph, p.pw] as [number, number],
          dilation: [p.dh, p.dw] as [number, number],
        };
        const x = randomUniform([p.N, p.C, H, W], rng);
        const w = randomUniform([p.F, p.C, p.KH, p.KW], rng);
        const y = conv2d(x, w, null, opts);
        const dy = randomUniform(y.shape, rng);
        const naive = conv2dBackwardNaive(dy, x, w, opts);
        const fast = conv2dBackward(dy, x, w, opts, { method: 'col2im' });
        expect(relativeError([naive.dx, naive.dw, naive.db], [fast.dx, fast.dw, fast.db])).toBeLessThan(1e-5);
      }),
      { numRuns: 80 },
    );
  });

  it('refuses a dy whose shape is not the forward output’s', () => {
    const x = tensor([1, 1, 4, 4]);
    const w = tensor([1, 1, 2, 2]);
    expect(() => conv2dBackwardNaive(tensor([1, 1, 3, 3]), x, w, { stride: 2 })).toThrow(ConvConfigError);
  });
});

describe('the CPU methods', () => {
  const run = (method: typeof NAIVE_METHOD, inputs: ReturnType<typeof makeCaseInputs>, pass: Pass): Tensor[] => {
    const prepared = method.prepare(inputs, pass);
    if (prepared instanceof Promise) throw new Error('CPU methods prepare synchronously');
    prepared.run();
    const out = prepared.read() as Tensor[];
    prepared.dispose();
    return out;
  };

  it('nested loops and im2col + GEMM compute the same results on every case (AlexNet forward only, to stay quick)', () => {
    for (const c of BENCH_CASES) {
      const inputs = makeCaseInputs(c);
      for (const pass of c.id === 'alexnet' ? (['forward'] as const) : (['forward', 'backward'] as const)) {
        const naive = run(NAIVE_METHOD, inputs, pass);
        const im2col = run(IM2COL_METHOD, inputs, pass);
        expect(naive.length).toBe(pass === 'forward' ? c.layers.length : 3 * c.layers.length);
        expect(relativeError(naive, im2col), `${c.id} ${pass}`).toBeLessThan(1e-5);
      }
    }
  });

  it('the reference is the engine’s conv2d (with bias) and conv2dBackward per layer, in order', () => {
    const inputs = makeCaseInputs(benchCase('seed-b1'), 3);
    const forward = referenceResults(inputs, 'forward');
    // On the JS kernel, bit for bit (the reference every method is checked against).
    inputs.forEach((l, k) => expect(forward[k].data).toEqual(withGemmKernel('js', () => conv2d(l.x, l.w, l.b, l.opts)).data));
    const backward = referenceResults(inputs, 'backward');
    inputs.forEach((l, k) => {
      const g = withGemmKernel('js', () => conv2dBackward(l.dy, l.x, l.w, l.opts));
      expect(backward.slice(3 * k, 3 * k + 3).map((t) => t.data)).toEqual([g.dx.data, g.dw.data, g.db.data]);
    });
  });

  it('nested loops first (the baseline), both passes, and only im2col builds the matrix', () => {
    expect(CPU_METHODS.map((m) => [m.id, m.usesIm2col, [...m.passes]])).toEqual([
      ['naive', false, ['forward', 'backward']],
      ['im2col', true, ['forward', 'backward']],
      ['im2col-wasm', true, ['forward', 'backward']],
    ]);
    expect(availableCpuMethods().map((m) => m.id)).toEqual(['naive', 'im2col', 'im2col-wasm']); // Node has WebAssembly SIMD
  });

  it('im2col + GEMM on the WASM kernel agrees with nested loops and with the JS kernel on every case', () => {
    for (const c of BENCH_CASES) {
      const inputs = makeCaseInputs(c);
      for (const pass of c.id === 'alexnet' ? (['forward'] as const) : (['forward', 'backward'] as const)) {
        const wasm = run(IM2COL_WASM_METHOD, inputs, pass);
        expect(relativeError(wasm, run(NAIVE_METHOD, inputs, pass)), `${c.id} ${pass}`).toBeLessThan(1e-5);
        expect(relativeError(wasm, run(IM2COL_METHOD, inputs, pass)), `${c.id} ${pass}`).toBeLessThan(1e-5);
      }
    }
  });
});

describe('relativeError', () => {
  it('is the largest difference over the largest reference value (at least 1)', () => {
    const e = [tensor([2], [10, -20])];
    expect(relativeError([tensor([2], [10, -19])], e)).toBeCloseTo(1 / 20, 12);
    expect(relativeError([tensor([1], [0.5])], [tensor([1], [0.25])])).toBe(0.25);
  });
  it('is infinite for NaN, a different count or a different shape', () => {
    expect(relativeError([tensor([1], [Number.NaN])], [tensor([1], [1])])).toBe(Infinity);
    expect(relativeError([], [tensor([1], [1])])).toBe(Infinity);
    expect(relativeError([tensor([1, 2], [1, 1])], [tensor([2, 1], [1, 1])])).toBe(Infinity);
  });
});
