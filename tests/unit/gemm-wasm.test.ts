import { describe, it, expect, vi, afterEach } from 'vitest';
import fc from 'fast-check';
import { gemmInto, gemmKernel, matmul, setGemmKernel, withGemmKernel } from '../../lib/gemm.ts';
import { gemmJs } from '../../lib/gemm-js.ts';
import { wasmGemmAvailable, wasmGemmMemoryBytes, wasmGemmVariant } from '../../lib/wasm/gemm-wasm.ts';
import { tensor } from '../../lib/tensor.ts';
import { createRng } from '../../lib/random.ts';
import type { Rng } from '../../lib/random.ts';
import { expectConfigError } from './helpers/expect-config-error.ts';

/** Random float32 values in [-1, 1) with magnitudes from 2⁻⁶ to 2⁶. */
function randomBuffer(length: number, rng: Rng): Float32Array {
  const out = new Float32Array(length);
  for (let k = 0; k < length; k++) out[k] = (rng() * 2 - 1) * 2 ** Math.floor(rng() * 12 - 6);
  return out;
}

/** The float64 triple loop over the stored layouts: exact sums (to float64) and Σ|a·b| per output. */
function tripleLoop(M: number, N: number, K: number, a: Float32Array, transA: boolean, b: Float32Array, transB: boolean) {
  const sum = new Float64Array(M * N);
  const abs = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      let t = 0;
      for (let k = 0; k < K; k++) {
        const p = (transA ? a[k * M + i] : a[i * K + k]) * (transB ? b[j * K + k] : b[k * N + j]);
        s += p;
        t += Math.abs(p);
      }
      sum[i * N + j] = s;
      abs[i * N + j] = t;
    }
  }
  return { sum, abs };
}

/** γ_n for the WASM kernel's float32 sums (see gemmInto): n = min(K, 256) + ⌈K/256⌉ roundings at most. */
function gamma(K: number): number {
  const n = Math.min(K, 256) + Math.ceil(K / 256);
  const u = 2 ** -24;
  return (n * u) / (1 - n * u);
}

function run(kernel: 'wasm' | 'js', M: number, N: number, K: number, a: Float32Array, tA: boolean, b: Float32Array, tB: boolean) {
  const c = new Float32Array(M * N).fill(NaN);
  withGemmKernel(kernel, () => gemmInto(M, N, K, a, tA, b, tB, c));
  return c;
}

/**
 * WASM and JS against the float64 triple loop: JS equals fround(sum) bit for bit, WASM is within
 * γ_n·Σ|a·b| (plus half an ulp for the final rounding) of the exact sum. Returns the worst
 * WASM error relative to Σ|a·b|.
 */
function checkShape(M: number, N: number, K: number, tA: boolean, tB: boolean, seed: number): number {
  const rng = createRng(seed);
  const a = randomBuffer(M * K, rng);
  const b = randomBuffer(K * N, rng);
  const wasm = run('wasm', M, N, K, a, tA, b, tB);
  const js = run('js', M, N, K, a, tA, b, tB);
  const { sum, abs } = tripleLoop(M, N, K, a, tA, b, tB);
  const g = gamma(K);
  let worst = 0;
  for (let q = 0; q < M * N; q++) {
    expect(js[q], `JS entry ${q}`).toBe(Math.fround(sum[q]));
    const err = Math.abs(wasm[q] - sum[q]);
    const bound = g * abs[q] + 2 ** -24 * Math.abs(sum[q]);
    if (!(err <= bound))
      expect.fail(`M=${M} N=${N} K=${K} tA=${tA} tB=${tB}: entry ${q} wasm ${wasm[q]} vs ${sum[q]}, error ${err} > bound ${bound}`);
    if (abs[q] > 0) worst = Math.max(worst, err / abs[q]);
  }
  return worst;
}

const transCombos: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

afterEach(() => setGemmKernel('auto'));

describe('the WebAssembly SIMD kernel', () => {
  it('is what gemmInto runs in Node by default (Node 22 has WebAssembly SIMD)', () => {
    setGemmKernel('auto');
    expect(wasmGemmAvailable()).toBe(true);
    expect(gemmKernel()).toBe('wasm');
    expect(['relaxed', 'simd']).toContain(wasmGemmVariant());
  });

  describe('WASM GEMM = JS GEMM = the float64 triple loop (WASM within its float32 bound)', () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [4, 8, 1],
      [5, 9, 1],
      [3, 7, 2],
      [4, 8, 256],
      [5, 9, 257],
      [13, 1, 9],
      [1, 300, 300],
      [300, 1, 7],
      [31, 33, 65],
      [64, 520, 300],
      [299, 297, 13],
    ];
    for (const [M, N, K] of shapes) {
      for (const [tA, tB] of transCombos) {
        it(`M=${M} N=${N} K=${K} transA=${tA} transB=${tB}`, () => {
          checkShape(M, N, K, tA, tB, M * 7919 + N * 31 + K);
        });
      }
    }

    it('random shapes from 1 to 300 and transposes (property)', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 300 }),
          fc.integer({ min: 1, max: 300 }),
          fc.integer({ min: 1, max: 300 }),
          fc.boolean(),
          fc.boolean(),
          fc.integer({ min: 1, max: 1 << 30 }),
          (M, N, K, tA, tB, seed) => {
            checkShape(M, N, K, tA, tB, seed);
          },
        ),
        { numRuns: 30 },
      );
    });

    it('K up to 4096: the float32 error stays inside γ_n·Σ|a·b| (and far below it)', () => {
      for (const K of [1000, 2048, 4096]) {
        for (const [tA, tB] of transCombos) {
          const worst = checkShape(9, 13, K, tA, tB, K + (tA ? 1 : 0) + (tB ? 2 : 0));
          // Seen: about 1e-7 of Σ|a·b|; the bound at K = 4096 is 1.6e-5.
          expect(worst).toBeLessThan(gamma(K));
        }
      }
    });
  });

  it('propagates NaN and Infinity to the same entries as the JS kernel', () => {
    const rng = createRng(5);
    for (const [tA, tB] of transCombos) {
      const [M, N, K] = [11, 19, 300];
      const a = randomBuffer(M * K, rng);
      const b = randomBuffer(K * N, rng);
      for (const v of [NaN, Infinity, -Infinity]) {
        a[Math.floor(rng() * a.length)] = v;
        b[Math.floor(rng() * b.length)] = v;
      }
      const wasm = run('wasm', M, N, K, a, tA, b, tB);
      const js = run('js', M, N, K, a, tA, b, tB);
      let special = 0;
      for (let q = 0; q < M * N; q++) {
        if (!Number.isFinite(js[q])) {
          special++;
          expect(Object.is(wasm[q], js[q]), `entry ${q}: wasm ${wasm[q]}, js ${js[q]}`).toBe(true);
        } else {
          expect(Number.isFinite(wasm[q])).toBe(true);
        }
      }
      expect(special).toBeGreaterThan(0);
    }
    // The JS kernel's hand-worked case: row 0 NaN·… = NaN; row 1 [1·1 + 1·∞, 1·1 + 1·1].
    const c = run('wasm', 2, 2, 2, Float32Array.of(NaN, 1, 1, 1), false, Float32Array.of(1, 1, Infinity, 1), false);
    expect([...c]).toEqual([NaN, NaN, Infinity, 2]);
  });

  it('overwrites only the first M·N entries of c, and K=0 writes zeros', () => {
    setGemmKernel('wasm');
    const c = new Float32Array(7).fill(-5);
    gemmInto(2, 3, 1, Float32Array.of(1, 2), false, Float32Array.of(1, 2, 3), false, c);
    expect([...c]).toEqual([1, 2, 3, 2, 4, 6, -5]);
    const z = new Float32Array(6).fill(9);
    gemmInto(2, 3, 0, new Float32Array(0), false, new Float32Array(0), false, z);
    expect([...z]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('reads only the first M·K and K·N entries of longer operand buffers', () => {
    const a = Float32Array.of(1, 2, 3, 4, 99, 99);
    const b = Float32Array.of(5, 6, 7, 8, NaN);
    expect([...run('wasm', 2, 2, 2, a, false, b, false)]).toEqual([19, 22, 43, 50]);
  });

  it('keeps its memory flat over 10,000 calls of varied shapes', () => {
    setGemmKernel('wasm');
    const rng = createRng(9);
    const shapes = [
      [64, 100, 64],
      [3, 500, 27],
      [128, 49, 288],
      [1, 10, 250],
    ];
    const buffers = shapes.map(([M, N, K]) => ({ a: randomBuffer(M * K, rng), b: randomBuffer(K * N, rng), c: new Float32Array(M * N) }));
    const call = (s: number) => {
      const [M, N, K] = shapes[s];
      const { a, b, c } = buffers[s];
      gemmInto(M, N, K, a, s % 2 === 1, b, s >= 2, c);
    };
    for (let s = 0; s < shapes.length; s++) call(s);
    const before = wasmGemmMemoryBytes();
    expect(before).toBeGreaterThan(0);
    for (let n = 0; n < 10_000; n++) call(n % shapes.length);
    expect(wasmGemmMemoryBytes()).toBe(before);
  });

  it('a small call after a large one is not affected by what the large one left in memory', () => {
    checkShape(200, 600, 700, false, true, 21);
    checkShape(3, 2, 5, true, false, 22);
    checkShape(9, 17, 260, false, false, 23);
  });
});

describe('choosing the kernel', () => {
  it("setGemmKernel('js') forces the fallback: gemmInto and matmul give the JS kernel's bits", () => {
    const rng = createRng(3);
    const a = randomBuffer(37 * 41, rng);
    const b = randomBuffer(41 * 29, rng);
    const want = new Float32Array(37 * 29);
    gemmJs(37, 29, 41, a, false, b, false, want);
    setGemmKernel('js');
    expect(gemmKernel()).toBe('js');
    const c = new Float32Array(37 * 29);
    gemmInto(37, 29, 41, a, false, b, false, c);
    expect(c).toEqual(want);
    expect(matmul(tensor([37, 41], a), tensor([41, 29], b)).data).toEqual(want);
  });

  it('withGemmKernel restores the previous choice, also when its function throws', () => {
    setGemmKernel('js');
    expect(withGemmKernel('wasm', () => gemmKernel())).toBe('wasm');
    expect(gemmKernel()).toBe('js');
    expect(() =>
      withGemmKernel('wasm', () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(gemmKernel()).toBe('js');
  });

  it('globalThis.UNROLLED_GEMM (a benchmark inside a worker) overrides the choice while set; other values are ignored', () => {
    const scope = globalThis as { UNROLLED_GEMM?: unknown };
    setGemmKernel('wasm');
    try {
      scope.UNROLLED_GEMM = 'js';
      expect(gemmKernel()).toBe('js');
      scope.UNROLLED_GEMM = 'fast';
      expect(gemmKernel()).toBe('wasm');
    } finally {
      delete scope.UNROLLED_GEMM;
    }
    expect(gemmKernel()).toBe('wasm');
  });

  it('an unknown kernel name throws ConvConfigError naming it', () => {
    expectConfigError(() => setGemmKernel('fast' as never), 'kernel', /kernel must be 'auto', 'wasm' or 'js', got "fast"/);
  });

  describe('a runtime without WebAssembly SIMD', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
      vi.resetModules();
    });

    it("falls back to the JS kernel under 'auto' and refuses a forced 'wasm'", async () => {
      vi.resetModules();
      vi.stubGlobal('WebAssembly', { ...WebAssembly, validate: () => false });
      const fresh = await import('../../lib/gemm.ts');
      fresh.setGemmKernel('auto');
      expect(fresh.gemmKernel()).toBe('js');
      const c = new Float32Array(1);
      const tiny = 2 ** -24;
      fresh.gemmInto(1, 1, 3, Float32Array.of(1, tiny, tiny), false, Float32Array.of(1, 1, 1), false, c);
      expect(c[0]).toBe(1 + 2 ** -23); // float64 sums: the JS kernel ran
      fresh.setGemmKernel('wasm');
      expect(() => fresh.gemmInto(1, 1, 1, Float32Array.of(1), false, Float32Array.of(1), false, c)).toThrow(
        /WebAssembly SIMD kernel was requested .* but is unavailable/,
      );
    });
  });
});
