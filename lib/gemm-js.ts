// The engine's JavaScript GEMM kernel: the readable reference that the lessons show, and the
// fallback where WebAssembly SIMD is missing (lib/gemm.ts picks the kernel).

// How the loop is organised (none of this changes a single output bit):
// - op(A) is copied once per call into row panels of MR = 4 rows: panel p holds, for k = 0…K−1,
//   the four values op(A)[4p…4p+3][k] side by side. Rows past M are zero.
// - op(B) is copied, one block of columns at a time, into column panels of NR = 4 columns: panel q
//   holds, for k = 0…K−1, the four values op(B)[k][4q…4q+3] side by side. Columns past N are zero.
//   A block holds about 1 MiB (at least 256 columns), so that it stays in cache while every A
//   panel sweeps over it.
// - The micro-kernel multiplies one A panel by one B panel over the whole of K, keeping the 4×4
//   outputs in sixteen float64 locals, and rounds each to float32 once when it stores it.
// Packing transposes as it copies, so the kernel never looks at transA/transB. The packed copies
// are float64 (float32 → float64 is exact) and live in module scratch grown on demand.
// With one or two rows in op(A) nothing is packed: see gemmFewRows.
const MR = 4;
const NR = 4;
/** Target size of one packed block of B, in float64 elements (1 MiB, about the L2 cache). */
const B_BLOCK_ELEMENTS = 131072;
/**
 * Fewest columns in a block of B, whatever K: packing reads op(B) a row stretch at a time, and a
 * stretch this wide keeps that reading from touching a new page for every few values.
 */
const MIN_BLOCK_WIDTH = 256;
/** Packing buffers up to this many float64 elements (8 MiB each) are kept for the next call. */
const KEEP_SCRATCH_ELEMENTS = 1 << 20;

let packedA = new Float64Array(0);
let packedB = new Float64Array(0);
/** Where an edge tile (fewer than 4 rows or columns left) is computed before its valid part is copied. */
const edgeTile = new Float32Array(MR * NR);

function scratchA(length: number): Float64Array {
  if (packedA.length < length) packedA = new Float64Array(length);
  return packedA;
}

function scratchB(length: number): Float64Array {
  if (packedB.length < length) packedB = new Float64Array(length);
  return packedB;
}

/** Lets the garbage collector have a packing buffer that an unusually large call grew. */
function trimScratch(): void {
  if (packedA.length > KEEP_SCRATCH_ELEMENTS) packedA = new Float64Array(0);
  if (packedB.length > KEEP_SCRATCH_ELEMENTS) packedB = new Float64Array(0);
}

/** Copies op(a) (`M×K`; `a` stored `M×K`, or `K×M` when transposed) into 4-row panels of `out`. */
function packRowPanels(M: number, K: number, a: Float32Array, transA: boolean, out: Float64Array): void {
  if (transA) {
    // a[k][i]: read row k of the stored matrix once, dealing its values out to every panel.
    for (let k = 0; k < K; k++) {
      const src = k * M;
      for (let i0 = 0; i0 < M; i0 += MR) {
        const dst = i0 * K + k * MR; // panel i0/MR starts at (i0/MR)·K·MR = i0·K
        const rows = Math.min(MR, M - i0);
        for (let ii = 0; ii < MR; ii++) out[dst + ii] = ii < rows ? a[src + i0 + ii] : 0;
      }
    }
    return;
  }
  // a[i][k]: walk each row contiguously, writing every fourth slot of its panel.
  for (let i0 = 0; i0 < M; i0 += MR) {
    const rows = Math.min(MR, M - i0);
    for (let ii = 0; ii < MR; ii++) {
      let dst = i0 * K + ii;
      if (ii < rows) {
        const src = (i0 + ii) * K;
        for (let k = 0; k < K; k++, dst += MR) out[dst] = a[src + k];
      } else {
        for (let k = 0; k < K; k++, dst += MR) out[dst] = 0;
      }
    }
  }
}

/**
 * Copies columns `j0…j0+width−1` of op(b) (`K×N`; `b` stored `K×N`, or `N×K` when transposed) into
 * 4-column panels of `out`, the last one zero-filled past `width`.
 */
function packColumnPanels(N: number, K: number, b: Float32Array, transB: boolean, j0: number, width: number, out: Float64Array): void {
  if (transB) {
    // b[j][k]: walk each stored row contiguously, writing every fourth slot of its panel.
    for (let jp = 0; jp < width; jp += NR) {
      const columns = Math.min(NR, width - jp);
      for (let jj = 0; jj < NR; jj++) {
        let dst = jp * K + jj; // panel jp/NR starts at (jp/NR)·K·NR = jp·K
        if (jj < columns) {
          const src = (j0 + jp + jj) * K;
          for (let k = 0; k < K; k++, dst += NR) out[dst] = b[src + k];
        } else {
          for (let k = 0; k < K; k++, dst += NR) out[dst] = 0;
        }
      }
    }
    return;
  }
  // b[k][j]: read the block's stretch of row k once, dealing its values out to every panel.
  const full = width - (width % NR);
  for (let k = 0; k < K; k++) {
    const src = k * N + j0;
    let dst = k * NR;
    for (let jp = 0; jp < full; jp += NR, dst += NR * K) {
      const s = src + jp;
      out[dst] = b[s];
      out[dst + 1] = b[s + 1];
      out[dst + 2] = b[s + 2];
      out[dst + 3] = b[s + 3];
    }
    if (full < width) {
      for (let jj = 0; jj < NR; jj++) out[dst + jj] = full + jj < width ? b[src + full + jj] : 0;
    }
  }
}

/**
 * The 4×4 micro-kernel: `C[o + r·ldc + s] = Σ_k A[pa + 4k + r] · B[pb + 4k + s]` for r, s in 0…3,
 * summed for k = 0…K−1 in order in float64 and rounded to float32 by the store.
 * (`(x + n) | 0` keeps V8 on plain int32 index arithmetic, without overflow checks; packed
 * indices stay far below 2³¹, which would take 16 GiB of packed panels.)
 */
function kernel4x4(K: number, A: Float64Array, pa: number, B: Float64Array, pb: number, C: Float32Array, o: number, ldc: number): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  const end = (pa + MR * K) | 0;
  while (pa < end) {
    const a0 = A[pa],
      a1 = A[(pa + 1) | 0],
      a2 = A[(pa + 2) | 0],
      a3 = A[(pa + 3) | 0];
    const b0 = B[pb],
      b1 = B[(pb + 1) | 0],
      b2 = B[(pb + 2) | 0],
      b3 = B[(pb + 3) | 0];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    pa = (pa + 4) | 0;
    pb = (pb + 4) | 0;
  }
  C[o] = c00;
  C[o + 1] = c01;
  C[o + 2] = c02;
  C[o + 3] = c03;
  o += ldc;
  C[o] = c10;
  C[o + 1] = c11;
  C[o + 2] = c12;
  C[o + 3] = c13;
  o += ldc;
  C[o] = c20;
  C[o + 1] = c21;
  C[o + 2] = c22;
  C[o + 3] = c23;
  o += ldc;
  C[o] = c30;
  C[o + 1] = c31;
  C[o + 2] = c32;
  C[o + 3] = c33;
}

/**
 * op(A) with fewer than FEW_ROWS rows (a dense layer on one example, a convolution with one output
 * channel): B is used by so few rows that packing it would cost more than it saves. Instead op(B) is streamed once, in storage order, with float64 accumulators:
 * - transB (b stored N×K): each output is a dot product of two contiguous rows, four outputs at a time;
 * - otherwise (b stored K×N): rows of b are added, scaled, into M rows of accumulators, a block of
 *   STREAM_WIDTH columns at a time.
 * Either way each output still adds its terms for k = 0…K−1 in order and is rounded once.
 */
const FEW_ROWS = 3;
const STREAM_WIDTH = 1024;
let rowsA = new Float64Array(0);
const accumulators = new Float64Array((FEW_ROWS - 1) * STREAM_WIDTH);

function gemmFewRows(
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  transB: boolean,
  c: Float32Array,
): void {
  if (rowsA.length < M * K) rowsA = new Float64Array(M * K);
  const A = rowsA; // op(a) row by row: A[i·K + k]
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) A[i * K + k] = transA ? a[k * M + i] : a[i * K + k];
  }
  if (transB) {
    const full = N - (N % 4);
    for (let i = 0; i < M; i++) {
      const ai = i * K;
      const out = i * N;
      for (let j = 0; j < full; j += 4) {
        const r0 = j * K,
          r1 = r0 + K,
          r2 = r1 + K,
          r3 = r2 + K;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        for (let k = 0; k < K; k++) {
          const av = A[ai + k];
          s0 += av * b[r0 + k];
          s1 += av * b[r1 + k];
          s2 += av * b[r2 + k];
          s3 += av * b[r3 + k];
        }
        c[out + j] = s0;
        c[out + j + 1] = s1;
        c[out + j + 2] = s2;
        c[out + j + 3] = s3;
      }
      for (let j = full; j < N; j++) {
        const r = j * K;
        let sum = 0;
        for (let k = 0; k < K; k++) sum += A[ai + k] * b[r + k];
        c[out + j] = sum;
      }
    }
    return;
  }
  const acc = accumulators;
  for (let j0 = 0; j0 < N; j0 += STREAM_WIDTH) {
    const width = Math.min(STREAM_WIDTH, N - j0);
    acc.fill(0, 0, M * width);
    for (let k = 0; k < K; k++) {
      const src = k * N + j0;
      for (let i = 0; i < M; i++) {
        const av = A[i * K + k];
        const base = i * width;
        for (let j = 0; j < width; j++) acc[base + j] += av * b[src + j];
      }
    }
    for (let i = 0; i < M; i++) {
      const out = i * N + j0;
      const base = i * width;
      for (let j = 0; j < width; j++) c[out + j] = acc[base + j];
    }
  }
  if (rowsA.length > KEEP_SCRATCH_ELEMENTS) rowsA = new Float64Array(0);
}

/**
 * The JS kernel on checked operands: `c[M×N] = op(a)[M×K] × op(b)[K×N]` with M, N, K ≥ 1 (see
 * gemmInto for layouts). Each output is the sum over k = 0…K−1 in that order, accumulated in
 * float64 and rounded to float32 once when stored.
 */
export function gemmJs(
  M: number,
  N: number,
  K: number,
  a: Float32Array,
  transA: boolean,
  b: Float32Array,
  transB: boolean,
  c: Float32Array,
): void {
  if (M < FEW_ROWS) {
    gemmFewRows(M, N, K, a, transA, b, transB, c);
    return;
  }

  const panelsA = Math.ceil(M / MR);
  const A = scratchA(panelsA * MR * K);
  packRowPanels(M, K, a, transA, A);

  // Columns of B per block: a multiple of NR, about B_BLOCK_ELEMENTS / K, at least MIN_BLOCK_WIDTH.
  const blockWidth = Math.max(MIN_BLOCK_WIDTH, Math.floor(B_BLOCK_ELEMENTS / K / NR) * NR);
  const firstWidth = Math.min(N, blockWidth);
  const B = scratchB(Math.ceil(firstWidth / NR) * NR * K);

  for (let j0 = 0; j0 < N; j0 += blockWidth) {
    const width = Math.min(blockWidth, N - j0);
    packColumnPanels(N, K, b, transB, j0, width, B);
    for (let i0 = 0; i0 < M; i0 += MR) {
      const pa = i0 * K;
      const fullRows = i0 + MR <= M;
      for (let jp = 0; jp < width; jp += NR) {
        const pb = jp * K;
        const j = j0 + jp;
        if (fullRows && jp + NR <= width) {
          kernel4x4(K, A, pa, B, pb, c, i0 * N + j, N);
        } else {
          kernel4x4(K, A, pa, B, pb, edgeTile, 0, NR);
          const rows = Math.min(MR, M - i0);
          const columns = Math.min(NR, width - jp);
          for (let ii = 0; ii < rows; ii++) {
            for (let jj = 0; jj < columns; jj++) c[(i0 + ii) * N + j + jj] = edgeTile[ii * NR + jj];
          }
        }
      }
    }
  }
  trimScratch();
}
