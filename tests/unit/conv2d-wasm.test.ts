import { describe, it, expect, afterEach } from 'vitest';
import fc from 'fast-check';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { gemmInto, setGemmKernel, withGemmKernel } from '../../lib/gemm.ts';
import { im2colInto } from '../../lib/im2col/im2col.ts';
import { convGeometry } from '../../lib/geometry.ts';
import { wasmGemmMemoryBytes } from '../../lib/wasm/gemm-wasm.ts';
import { createRng, randomUniform } from '../../lib/random.ts';

afterEach(() => setGemmKernel('auto'));

/** im2col in JS, then the WASM GEMM: the two steps conv2d fuses inside the module on that kernel. */
function unfused(x: ReturnType<typeof randomUniform>, w: ReturnType<typeof randomUniform>, opts: Parameters<typeof conv2d>[3]) {
  const [F, C, KH, KW] = w.shape;
  const g = convGeometry(x.shape, [KH, KW], opts);
  const K = C * KH * KW;
  const Q = g.N * g.OH * g.OW;
  const cols = new Float32Array(K * Q);
  im2colInto(x.data, g, cols);
  const rows = new Float32Array(F * Q);
  withGemmKernel('wasm', () => gemmInto(F, Q, K, w.data, false, cols, false, rows));
  // rows is [F, N·P]; conv2d's output is NCHW [N, F, P]
  const P = g.OH * g.OW;
  const out = new Float32Array(F * Q);
  for (let f = 0; f < F; f++)
    for (let n = 0; n < g.N; n++) out.set(rows.subarray((f * g.N + n) * P, (f * g.N + n + 1) * P), (n * F + f) * P);
  return out;
}

describe('conv2d on the WASM kernel builds im2col inside the module', () => {
  it('gives the same bits as im2col in JS followed by the WASM GEMM, over random geometries', () => {
    fc.assert(
      fc.property(
        fc.record({
          N: fc.integer({ min: 1, max: 3 }),
          C: fc.integer({ min: 1, max: 4 }),
          F: fc.integer({ min: 1, max: 9 }),
          H: fc.integer({ min: 1, max: 12 }),
          W: fc.integer({ min: 1, max: 12 }),
          KH: fc.integer({ min: 1, max: 4 }),
          KW: fc.integer({ min: 1, max: 4 }),
          sh: fc.integer({ min: 1, max: 4 }),
          sw: fc.integer({ min: 1, max: 4 }),
          ph: fc.integer({ min: 0, max: 3 }),
          pw: fc.integer({ min: 0, max: 3 }),
          dh: fc.integer({ min: 1, max: 3 }),
          dw: fc.integer({ min: 1, max: 3 }),
          seed: fc.integer({ min: 1, max: 1 << 30 }),
        }),
        (p) => {
          fc.pre(p.H + 2 * p.ph >= p.dh * (p.KH - 1) + 1 && p.W + 2 * p.pw >= p.dw * (p.KW - 1) + 1);
          const rng = createRng(p.seed);
          const x = randomUniform([p.N, p.C, p.H, p.W], rng);
          const w = randomUniform([p.F, p.C, p.KH, p.KW], rng);
          const opts = {
            stride: [p.sh, p.sw] as [number, number],
            padding: [p.ph, p.pw] as [number, number],
            dilation: [p.dh, p.dw] as [number, number],
          };
          const fused = withGemmKernel('wasm', () => conv2d(x, w, null, opts)).data;
          expect(fused).toEqual(unfused(x, w, opts));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('AlexNet conv1 (stride 4) and 3×3 padded 64→64: same bits as the unfused steps, memory flat on repeat', () => {
    const rng = createRng(4);
    for (const [xs, ws, opts] of [
      [[1, 3, 227, 227], [96, 3, 11, 11], { stride: 4 }],
      [[1, 64, 56, 56], [64, 64, 3, 3], { padding: 1 }],
    ] as const) {
      const x = randomUniform([...xs], rng);
      const w = randomUniform([...ws], rng);
      const first = withGemmKernel('wasm', () => conv2d(x, w, null, opts)).data;
      expect(first).toEqual(unfused(x, w, opts));
      const bytes = wasmGemmMemoryBytes();
      for (let k = 0; k < 5; k++) withGemmKernel('wasm', () => conv2d(x, w, null, opts));
      expect(wasmGemmMemoryBytes()).toBe(bytes);
    }
  });
});
