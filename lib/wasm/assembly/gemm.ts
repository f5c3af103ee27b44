// AssemblyScript (compiled to WebAssembly SIMD128 by lib/cli/build-wasm.ts, not by tsc).
//
// C[M×N] = op(A)[M×K] × op(B)[K×N], all row-major f32, with op(X) = Xᵀ when its flag is set.
// The host (lib/wasm/gemm-wasm.ts) owns the layout of linear memory: it copies a and b in, passes
// byte offsets for them, for c and for a scratch area of scratchFloats(M, N, K) floats, and copies
// c out. Nothing here allocates.
//
// The loop nest (the classic BLIS/GotoBLAS one):
//   for each block of KC values of k:            pack op(A)[:, block] into MR-row panels
//     for each block of NC columns:              pack op(B)[block, columns] into NR-column panels
//       for each MR-row panel, each NR-column panel: the micro-kernel adds the MR×NR tile
// The micro-kernel keeps the 4×8 outputs in eight f32x4 accumulators, reads one packed B row
// (two f32x4) and four broadcast A values per k. Sums are taken in f32: within a KC block in
// increasing k, then block by block into c.
// Panels are zero-padded past M and N, so the kernel never branches on edges; edge tiles go through
// a small tile buffer and only their valid part is written to c.

const MR: i32 = 4;
const NR: i32 = 8;
/** Values of k per block: a 4×KC panel of A (4 KiB) stays in L1 while it sweeps a block of B. */
const KC: i32 = 256;
/** Columns per block of B: a KC×NC block (512 KiB) stays in L2. */
const NC: i32 = 512;

@inline function min(x: i32, y: i32): i32 {
  return x < y ? x : y;
}

/** c + a·b per lane: fused where relaxed SIMD is enabled at build time, mul then add otherwise. */
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Floats of scratch the host must provide after c: packed A panels, packed B panels, edge tile. */
export function scratchFloats(M: i32, N: i32, K: i32): i32 {
  const kc = min(KC, K);
  const panelsA = (M + MR - 1) / MR;
  const panelsB = (min(NC, N) + NR - 1) / NR;
  return panelsA * MR * kc + panelsB * NR * kc + MR * NR;
}

/** Copies op(A)[0…M−1][p0…p0+kc−1] into MR-row panels: panel p holds, per k, its MR values side by side. */
function packA(M: i32, K: i32, a: usize, transA: bool, p0: i32, kc: i32, out: usize): void {
  for (let i0 = 0; i0 < M; i0 += MR) {
    const rows = min(MR, M - i0);
    let dst = out + (<usize>(i0 * kc) << 2);
    if (transA) {
      // a is K×M: the MR values for one k sit side by side already.
      let src = a + (<usize>(p0 * M + i0) << 2);
      const step = <usize>M << 2;
      if (rows == MR) {
        for (let k = 0; k < kc; k++, src += step, dst += 16) v128.store(dst, v128.load(src));
      } else {
        for (let k = 0; k < kc; k++, src += step, dst += 16) {
          for (let r = 0; r < MR; r++) store<f32>(dst + (<usize>r << 2), r < rows ? load<f32>(src + (<usize>r << 2)) : 0);
        }
      }
    } else {
      // a is M×K: walk each row, writing every MR-th slot.
      for (let r = 0; r < MR; r++) {
        let d = dst + (<usize>r << 2);
        if (r < rows) {
          let src = a + (<usize>((i0 + r) * K + p0) << 2);
          for (let k = 0; k < kc; k++, src += 4, d += 16) store<f32>(d, load<f32>(src));
        } else {
          for (let k = 0; k < kc; k++, d += 16) store<f32>(d, 0);
        }
      }
    }
  }
}

/** Copies op(B)[p0…p0+kc−1][j0…j0+nc−1] into NR-column panels: panel q holds, per k, its NR values side by side. */
function packB(N: i32, K: i32, b: usize, transB: bool, p0: i32, kc: i32, j0: i32, nc: i32, out: usize): void {
  for (let jp = 0; jp < nc; jp += NR) {
    const cols = min(NR, nc - jp);
    let dst = out + (<usize>(jp * kc) << 2);
    if (!transB) {
      // b is K×N: the NR values for one k sit side by side already.
      let src = b + (<usize>(p0 * N + j0 + jp) << 2);
      const step = <usize>N << 2;
      if (cols == NR) {
        for (let k = 0; k < kc; k++, src += step, dst += 32) {
          v128.store(dst, v128.load(src));
          v128.store(dst, v128.load(src, 16), 16);
        }
      } else {
        for (let k = 0; k < kc; k++, src += step, dst += 32) {
          for (let s = 0; s < NR; s++) store<f32>(dst + (<usize>s << 2), s < cols ? load<f32>(src + (<usize>s << 2)) : 0);
        }
      }
    } else {
      // b is N×K: walk each stored row, writing every NR-th slot.
      for (let s = 0; s < NR; s++) {
        let d = dst + (<usize>s << 2);
        if (s < cols) {
          let src = b + (<usize>((j0 + jp + s) * K + p0) << 2);
          for (let k = 0; k < kc; k++, src += 4, d += 32) store<f32>(d, load<f32>(src));
        } else {
          for (let k = 0; k < kc; k++, d += 32) store<f32>(d, 0);
        }
      }
    }
  }
}

/**
 * The 4×8 micro-kernel: tile[r][s] (= c + r·ldc + s) ← (accumulate ? tile : 0) + Σ_k A[k][r]·B[k][s]
 * over one packed A panel (pa) and one packed B panel (pb) of kc values of k.
 */
@inline function microKernel(kc: i32, pa: usize, pb: usize, c: usize, ldcBytes: usize, accumulate: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const end = pb + (<usize>kc << 5);
  while (pb < end) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    let a = v128.load32_splat(pa);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(pa, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(pa, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(pa, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    pa += 16;
    pb += 32;
  }
  if (accumulate) {
    c00 = f32x4.add(v128.load(c), c00);
    c01 = f32x4.add(v128.load(c, 16), c01);
    c10 = f32x4.add(v128.load(c + ldcBytes), c10);
    c11 = f32x4.add(v128.load(c + ldcBytes, 16), c11);
    c20 = f32x4.add(v128.load(c + 2 * ldcBytes), c20);
    c21 = f32x4.add(v128.load(c + 2 * ldcBytes, 16), c21);
    c30 = f32x4.add(v128.load(c + 3 * ldcBytes), c30);
    c31 = f32x4.add(v128.load(c + 3 * ldcBytes, 16), c31);
  }
  v128.store(c, c00);
  v128.store(c, c01, 16);
  c += ldcBytes;
  v128.store(c, c10);
  v128.store(c, c11, 16);
  c += ldcBytes;
  v128.store(c, c20);
  v128.store(c, c21, 16);
  c += ldcBytes;
  v128.store(c, c30);
  v128.store(c, c31, 16);
}

/**
 * c = op(a) × op(b) (byte offsets into this memory; M, N, K ≥ 1). `scratch` points at
 * scratchFloats(M, N, K) floats that do not overlap a, b or c.
 */
export function gemm(M: i32, N: i32, K: i32, a: usize, transA: bool, b: usize, transB: bool, c: usize, scratch: usize): void {
  const kcMax = min(KC, K);
  const packedA = scratch;
  const packedB = packedA + (<usize>(((M + MR - 1) / MR) * MR * kcMax) << 2);
  const tile = packedB + (<usize>(((min(NC, N) + NR - 1) / NR) * NR * kcMax) << 2);
  const ldcBytes = <usize>N << 2;
  for (let p0 = 0; p0 < K; p0 += KC) {
    const kc = min(KC, K - p0);
    const accumulate = p0 > 0;
    packA(M, K, a, transA, p0, kc, packedA);
    for (let j0 = 0; j0 < N; j0 += NC) {
      const nc = min(NC, N - j0);
      packB(N, K, b, transB, p0, kc, j0, nc, packedB);
      for (let i0 = 0; i0 < M; i0 += MR) {
        const rows = min(MR, M - i0);
        const pa = packedA + (<usize>(i0 * kc) << 2);
        for (let jp = 0; jp < nc; jp += NR) {
          const cols = min(NR, nc - jp);
          const pb = packedB + (<usize>(jp * kc) << 2);
          const out = c + (<usize>(i0 * N + j0 + jp) << 2);
          if (rows == MR && cols == NR) {
            microKernel(kc, pa, pb, out, ldcBytes, accumulate);
          } else {
            microKernel(kc, pa, pb, tile, NR << 2, false);
            for (let r = 0; r < rows; r++) {
              for (let s = 0; s < cols; s++) {
                const dst = out + <usize>r * ldcBytes + (<usize>s << 2);
                const value = load<f32>(tile + (<usize>(r * NR + s) << 2));
                store<f32>(dst, accumulate ? load<f32>(dst) + value : value);
              }
            }
          }
        }
      }
    }
  }
}
