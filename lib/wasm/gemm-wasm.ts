import { GEMM_RELAXED_WASM, GEMM_SIMD_WASM } from './gemm-binary.ts';
import type { ConvGeometry } from '../geometry.ts';

// The host side of the WebAssembly SIMD GEMM (source: lib/wasm/assembly/gemm.ts, built by
// lib/cli/build-wasm.ts). The module owns one growable memory laid out per call as
//   [ a (M·K) | b (K·N) | c (M·N) | scratch (packed panels) ]   float32, from byte `base`
// a and b are copied in once per call and c copied out; the memory grows only when a call needs
// more than it already has, so repeated calls of one size never grow it. After a call that needed
// more than KEEP_BYTES the instance is dropped (its memory with it) and re-made on the next call.

interface GemmExports {
  memory: WebAssembly.Memory;
  gemm(M: number, N: number, K: number, a: number, transA: number, b: number, transB: number, c: number, scratch: number): void;
  scratchFloats(M: number, N: number, K: number): number;
  im2col(
    x: number,
    N: number,
    C: number,
    H: number,
    W: number,
    KH: number,
    KW: number,
    sh: number,
    sw: number,
    ph: number,
    pw: number,
    dh: number,
    dw: number,
    OH: number,
    OW: number,
    out: number,
  ): void;
}

/** Which build runs: 'relaxed' (SIMD128 + relaxed-SIMD fused multiply-add) or 'simd' (SIMD128 mul + add). */
export type WasmGemmVariant = 'relaxed' | 'simd';

/** Largest memory a call may use (wasm32 offsets stay below 2³¹); bigger calls run on the JS kernel. */
const MAX_BYTES = 2 ** 31 - 2 ** 16;
/** Memory kept between calls; a call that grew it past this lets it go afterwards. */
const KEEP_BYTES = 256 * 2 ** 20;
const PAGE = 65536;

let compiled: { module: WebAssembly.Module; variant: WasmGemmVariant } | null = null;
let pending: Promise<boolean> | null = null;
let unavailable = false;
let instance: { exports: GemmExports; base: number } | null = null;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k);
  return bytes;
}

/** The build this runtime can run, by validating the real modules: relaxed SIMD first, then plain SIMD. */
function pickBinary(): { bytes: Uint8Array<ArrayBuffer>; variant: WasmGemmVariant } | null {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.validate !== 'function') return null;
  for (const [variant, base64] of [
    ['relaxed', GEMM_RELAXED_WASM],
    ['simd', GEMM_SIMD_WASM],
  ] as const) {
    const bytes = decode(base64);
    try {
      if (WebAssembly.validate(bytes)) return { bytes, variant };
    } catch {
      // an engine that throws on unknown opcodes instead of answering false: try the next build
    }
  }
  return null;
}

/**
 * Compiles the module if it is not compiled yet: synchronously where the runtime allows it (Node,
 * workers), otherwise (a browser's main thread refusing a synchronous compile) in the background,
 * so that later calls find it. Returns whether the kernel can run now.
 */
function ensureCompiled(): boolean {
  if (compiled) return true;
  if (unavailable || pending) return false;
  const picked = pickBinary();
  if (!picked) {
    unavailable = true;
    return false;
  }
  try {
    compiled = { module: new WebAssembly.Module(picked.bytes), variant: picked.variant };
    return true;
  } catch {
    pending = WebAssembly.compile(picked.bytes)
      .then(
        (module) => ((compiled = { module, variant: picked.variant }), true),
        () => ((unavailable = true), false),
      )
      .finally(() => (pending = null));
    return false;
  }
}

/** Whether this runtime has WebAssembly SIMD and the kernel is compiled (compiling it if it can). */
export function wasmGemmAvailable(): boolean {
  return ensureCompiled();
}

/** Resolves once the module is compiled (or known to be unavailable): whether the kernel can run. */
export async function wasmGemmReady(): Promise<boolean> {
  if (ensureCompiled()) return true;
  return pending ? pending : false;
}

/** The build in use, or null while none is compiled. */
export function wasmGemmVariant(): WasmGemmVariant | null {
  return compiled?.variant ?? null;
}

/** Bytes of the module's memory now (0 before the first call): for tests that memory stays flat. */
export function wasmGemmMemoryBytes(): number {
  return instance ? instance.exports.memory.buffer.byteLength : 0;
}

function instantiate(): { exports: GemmExports; base: number } {
  if (!instance) {
    const made = new WebAssembly.Instance(compiled!.module, {});
    const exports = made.exports as unknown as GemmExports;
    // The stub runtime never allocates: everything above the initial memory is ours.
    instance = { exports, base: Math.max(PAGE, exports.memory.buffer.byteLength) };
  }
  return instance;
}

/**
 * The instance with at least `floats` float32 of memory past its base (growing it if needed), or
 * null when the kernel is unavailable or that would pass MAX_BYTES or the memory cannot grow.
 */
function reserve(floats: number): { exports: GemmExports; base: number; needed: number } | null {
  if (!ensureCompiled()) return null;
  const { exports, base } = instantiate();
  const needed = base + 4 * floats;
  if (needed > MAX_BYTES) return null;
  const { memory } = exports;
  if (memory.buffer.byteLength < needed) {
    try {
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    } catch {
      return null; // the tab or process could not give that much memory
    }
  }
  return { exports, base, needed };
}

/** Copies the first `length` floats of `from` into the module's memory at byte `offset`. */
function copyIn(memory: WebAssembly.Memory, offset: number, from: Float32Array, length: number): void {
  new Float32Array(memory.buffer, offset, length).set(from.length === length ? from : from.subarray(0, length));
}

/**
 * `c[M×N] = op(a) × op(b)` on the WebAssembly kernel (dimensions ≥ 1, buffers already checked by
 * gemmInto). Sums are float32 (see gemmInto). Returns false, computing nothing, when the kernel is
 * not available or the operands would not fit in 2 GiB of its memory.
 */
export function gemmWasm(
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  transB: boolean,
  c: Float32Array,
): boolean {
  if (!ensureCompiled()) return false;
  const lengthA = M * K;
  const lengthB = K * N;
  const lengthC = M * N;
  const room = reserve(lengthA + lengthB + lengthC + scratchOf(M, N, K));
  if (!room) return false;
  const { exports, base, needed } = room;
  const offA = base;
  const offB = offA + 4 * lengthA;
  const offC = offB + 4 * lengthB;
  copyIn(exports.memory, offA, a, lengthA);
  copyIn(exports.memory, offB, b, lengthB);
  exports.gemm(M, N, K, offA, transA ? 1 : 0, offB, transB ? 1 : 0, offC, offC + 4 * lengthC);
  c.set(new Float32Array(exports.memory.buffer, offC, lengthC));
  if (needed > KEEP_BYTES) instance = null;
  return true;
}

/** Scratch floats the kernel needs for an M×N×K product (asks the compiled module). */
function scratchOf(M: number, N: number, K: number): number {
  return instantiate().exports.scratchFloats(M, N, K);
}

/**
 * The forward convolution's im2col and product inside the module: copies `x` (`[N, C, H, W]`) and
 * `w` (`W_row`, `[F, K]` with K = C·KH·KW) in, builds the im2col matrix `[K, Q]` (Q = N·OH·OW) in the
 * module's memory, multiplies, and copies `W_row × cols` (`[F, Q]`) out into `rows`. The same
 * matrix and the same product as im2colInto + gemmWasm, without building the matrix in JS.
 * Returns false, computing nothing, when the kernel is unavailable or the buffers would not fit.
 */
export function im2colGemmWasm(x: Float32Array, g: ConvGeometry, w: Float32Array, F: number, rows: Float32Array): boolean {
  if (!ensureCompiled()) return false;
  const { N, C, H, W, KH, KW, OH, OW } = g;
  const K = C * KH * KW;
  const Q = N * OH * OW;
  const lengthX = N * C * H * W;
  const room = reserve(lengthX + F * K + K * Q + F * Q + scratchOf(F, Q, K));
  if (!room) return false;
  const { exports, base, needed } = room;
  const offX = base;
  const offW = offX + 4 * lengthX;
  const offCols = offW + 4 * F * K;
  const offRows = offCols + 4 * K * Q;
  copyIn(exports.memory, offX, x, lengthX);
  copyIn(exports.memory, offW, w, F * K);
  exports.im2col(offX, N, C, H, W, KH, KW, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, OH, OW, offCols);
  exports.gemm(F, Q, K, offW, 0, offCols, 0, offRows, offRows + 4 * F * Q);
  rows.set(new Float32Array(exports.memory.buffer, offRows, F * Q));
  if (needed > KEEP_BYTES) instance = null;
  return true;
}
