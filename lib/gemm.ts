import type { Tensor } from './tensor.ts';
import { assertTensor } from './tensor.ts';
import { ConvConfigError, describeValue } from './errors.ts';
import { checkBoolean, checkOptions } from './options.ts';
import { checkBufferSizes } from './buffer-limit.ts';
import { gemmJs } from './gemm-js.ts';
import { gemmWasm, wasmGemmAvailable } from './wasm/gemm-wasm.ts';

/** Which operands are read transposed: `C = op(A) × op(B)` with `op(X) = Xᵀ` when set. */
export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
}

/** A GEMM kernel: 'wasm' (WebAssembly SIMD128, lib/wasm/) or 'js' (the readable reference, lib/gemm-js.ts). */
export type GemmKernel = 'wasm' | 'js';
/** What gemmInto runs: 'auto' picks 'wasm' where WebAssembly SIMD is available and 'js' elsewhere. */
export type GemmKernelChoice = 'auto' | GemmKernel;

const CHOICES: readonly GemmKernelChoice[] = ['auto', 'wasm', 'js'];

function initialChoice(): GemmKernelChoice {
  // Tests and benchmarks pick a kernel for a whole process with UNROLLED_GEMM=auto|wasm|js.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.UNROLLED_GEMM;
  return CHOICES.includes(value as GemmKernelChoice) ? (value as GemmKernelChoice) : 'auto';
}

let choice: GemmKernelChoice = initialChoice();

/**
 * Chooses the kernel gemmInto (and every op above it) runs from now on. 'wasm' insists on the
 * WebAssembly kernel: gemmInto then throws where it is unavailable instead of falling back.
 * Throws ConvConfigError for any other value.
 */
export function setGemmKernel(kernel: GemmKernelChoice): void {
  if (!CHOICES.includes(kernel)) {
    throw new ConvConfigError('kernel', `kernel must be 'auto', 'wasm' or 'js', got ${describeValue(kernel)}`);
  }
  choice = kernel;
}

/**
 * A benchmark's override from outside the module graph: `globalThis.UNROLLED_GEMM = 'js'` (set,
 * say, by Playwright inside the trainer's worker) wins over setGemmKernel while it is set.
 */
function globalOverride(): GemmKernelChoice | null {
  const value = (globalThis as { UNROLLED_GEMM?: unknown }).UNROLLED_GEMM;
  return value === undefined ? null : CHOICES.includes(value as GemmKernelChoice) ? (value as GemmKernelChoice) : null;
}

/** The kernel gemmInto runs now: the one set, or for 'auto' 'wasm' if available (compiling it on first ask), else 'js'. */
export function gemmKernel(): GemmKernel {
  const chosen = globalOverride() ?? choice;
  if (chosen === 'auto') return wasmGemmAvailable() ? 'wasm' : 'js';
  return chosen;
}

/**
 * Runs `fn` with gemmInto on `kernel`, then restores the previous choice (even if `fn` throws).
 * The figures use it with 'js' for the engine results they compare their replays with: the
 * replays redo the reference kernel's float64 sums and match it bit for bit.
 */
export function withGemmKernel<T>(kernel: GemmKernelChoice, fn: () => T): T {
  const previous = choice;
  setGemmKernel(kernel);
  try {
    return fn();
  } finally {
    choice = previous;
  }
}

function runKernel(
  kernel: GemmKernel,
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  transB: boolean,
  c: Float32Array,
): void {
  if (kernel === 'wasm') {
    if (gemmWasm(M, N, K, a, transA, b, transB, c)) return;
    if ((globalOverride() ?? choice) === 'wasm' && !wasmGemmAvailable()) {
      throw new Error('gemmInto: the WebAssembly SIMD kernel was requested (setGemmKernel or UNROLLED_GEMM) but is unavailable here');
    }
  }
  gemmJs(M, N, K, a, transA, b, transB, c);
}

function assertDimension(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new ConvConfigError(name, `${name} must be a non-negative integer, got ${describeValue(value)}`);
  }
}

function assertBuffer(name: string, buffer: Float32Array, needed: number, layout: string): void {
  if (!(buffer instanceof Float32Array) || buffer.length < needed) {
    const got = buffer instanceof Float32Array ? `length ${buffer.length}` : describeValue(buffer);
    throw new ConvConfigError(name, `${name} must be a Float32Array of at least ${needed} elements (${layout}), got ${got}`);
  }
}

/**
 * The GEMM loop on raw buffers: `c[M×N] = op(a)[M×K] × op(b)[K×N]`, all row-major. `a` is stored
 * `M×K` (or `K×M` when `transA`), `b` is `K×N` (or `N×K` when `transB`). The first `M·N` entries
 * of `c` are overwritten; `c` must not share memory with `a` or `b`.
 * Runs on the kernel gemmKernel() names:
 * - 'js' (lib/gemm-js.ts): each output is the sum over k = 0…K−1 in that order, accumulated in
 *   float64 and rounded to float32 once when stored, so a dot product replayed in the same order
 *   gives the same bits.
 * - 'wasm' (lib/wasm/): float32 sums, four outputs per SIMD lane-group, K split into blocks of 256
 *   whose partial sums are added into c (fused multiply-add where relaxed SIMD is available). Its
 *   error against the exact sum is at most γ_n·Σ_k |op(a)[i][k]·op(b)[k][j]| with
 *   n = min(K, 256) + ⌈K/256⌉ and γ_n = n·2⁻²⁴ / (1 − n·2⁻²⁴) (about 1.6·10⁻⁵ of Σ|a·b| at K = 4096);
 *   in practice it is far smaller. NaN and ±Infinity propagate as in the JS kernel, except that a
 *   sum whose float32 partial overflows becomes ±Infinity where a float64 sum might come back.
 * Operands too large for 2 GiB of WebAssembly memory run on the JS kernel.
 * Throws ConvConfigError when a dimension is not a non-negative integer or a buffer is too short.
 */
export function gemmInto(
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  transB: boolean,
  c: Float32Array,
): void {
  gemmIntoOn(gemmKernel(), M, N, K, a, transA, b, transB, c);
}

/** gemmInto on a given kernel, with the same checks. */
function gemmIntoOn(
  kernel: GemmKernel,
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  transB: boolean,
  c: Float32Array,
): void {
  assertDimension('M', M);
  assertDimension('N', N);
  assertDimension('K', K);
  assertBuffer('a', a, M * K, transA ? `K×M = ${K}×${M}` : `M×K = ${M}×${K}`);
  assertBuffer('b', b, K * N, transB ? `N×K = ${N}×${K}` : `K×N = ${K}×${N}`);
  assertBuffer('c', c, M * N, `M×N = ${M}×${N}`);
  if (M === 0 || N === 0) return;
  if (K === 0) {
    c.fill(0, 0, M * N);
    return;
  }

  runKernel(kernel, M, N, K, a, transA, b, transB, c);
}

/**
 * Matrix product of two 2-D tensors: `op(a) × op(b)` → `[M, N]`. Throws ConvConfigError when an
 * operand is not 2-D or the inner dimensions differ.
 */
export function matmul(a: Tensor, b: Tensor, opts: GemmOptions = {}): Tensor {
  return matmulOn(gemmKernel(), a, b, opts);
}

/**
 * matmul on the JS reference kernel, whatever gemmKernel() says: for the traces and figures, which
 * replay the reference loop's float64 sums and must match its output bit for bit.
 */
export function matmulReference(a: Tensor, b: Tensor, opts: GemmOptions = {}): Tensor {
  return matmulOn('js', a, b, opts);
}

function matmulOn(kernel: GemmKernel, a: Tensor, b: Tensor, opts: GemmOptions): Tensor {
  assertTensor('a', a, 2, '[rows, cols]');
  assertTensor('b', b, 2, '[rows, cols]');
  const checked = checkOptions<GemmOptions>('matmul', opts, ['transA', 'transB']);
  const transA = checkBoolean('matmul', 'transA', checked.transA, false);
  const transB = checkBoolean('matmul', 'transB', checked.transB, false);
  const [M, Ka] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [Kb, N] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (Ka !== Kb) {
    throw new ConvConfigError(
      'b',
      `matmul inner dimensions must agree: op(a) is ${M}×${Ka}, op(b) is ${Kb}×${N} (shapes ${describeValue(a.shape)}${transA ? 'ᵀ' : ''} and ${describeValue(b.shape)}${transB ? 'ᵀ' : ''})`,
    );
  }
  checkBufferSizes('matmul', { 'the product': [M, N] });
  const c = new Float32Array(M * N);
  gemmIntoOn(kernel, M, N, Ka, a.data, transA, b.data, transB, c);
  return { shape: [M, N], data: c };
}
