import { GEMM_RELAXED_WASM, GEMM_SIMD_WASM } from './gemm-binary.ts';

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
  for (const [variant, base64] of [['relaxed', GEMM_RELAXED_WASM], ['simd', GEMM_SIMD_WASM]] as const) {
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
    pending = WebAssembly.compile(picked.bytes).then(
      (module) => ((compiled = { module, variant: picked.variant }), true),
      () => ((unavailable = true), false),
    ).finally(() => (pending = null));
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
  const { exports, base } = instantiate();
  const lengthA = M * K;
  const lengthB = K * N;
  const lengthC = M * N;
  const floats = lengthA + lengthB + lengthC + exports.scratchFloats(M, N, K);
  const needed = base + 4 * floats;
  if (needed > MAX_BYTES) return false;
  const { memory } = exports;
  if (memory.buffer.byteLength < needed) {
    try {
      memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
    } catch {
      return false; // the tab or process could not give that much memory
    }
  }
  const offA = base;
  const offB = offA + 4 * lengthA;
  const offC = offB + 4 * lengthB;
  const offScratch = offC + 4 * lengthC;
  const heap = memory.buffer;
  new Float32Array(heap, offA, lengthA).set(a.length === lengthA ? a : a.subarray(0, lengthA));
  new Float32Array(heap, offB, lengthB).set(b.length === lengthB ? b : b.subarray(0, lengthB));
  exports.gemm(M, N, K, offA, transA ? 1 : 0, offB, transB ? 1 : 0, offC, offScratch);
  c.set(new Float32Array(heap, offC, lengthC));
  if (needed > KEEP_BYTES) instance = null;
  return true;
}
