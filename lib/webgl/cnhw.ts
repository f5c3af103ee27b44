/**
 * Reorders an NCHW batch `[N, C, H, W]` (row-major) into the CNHW matrix `[C, N·H·W]` the GPU ops
 * keep activations in: entry `(n, c, h, w)` moves to row c, column `(n·H + h)·W + w`. With C = 1
 * the two orders coincide. Writes into `out` when given.
 */
export function nchwToCnhw(data: Float32Array, shape: readonly [number, number, number, number], out?: Float32Array): Float32Array {
  return movePlanes(data, shape, out, true);
}

/** The inverse of nchwToCnhw: CNHW `[C, N·H·W]` back to NCHW `[N, C, H, W]`. */
export function cnhwToNchw(data: Float32Array, shape: readonly [number, number, number, number], out?: Float32Array): Float32Array {
  return movePlanes(data, shape, out, false);
}

/** Copies each `H·W` plane between its NCHW slot `n·C + c` and its CNHW slot `c·N + n`. */
function movePlanes(
  data: Float32Array,
  shape: readonly [number, number, number, number],
  out: Float32Array | undefined,
  toCnhw: boolean,
): Float32Array {
  const [N, C, H, W] = shape;
  const plane = H * W;
  const result = out ?? new Float32Array(N * C * plane);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const nchw = (n * C + c) * plane;
      const cnhw = (c * N + n) * plane;
      const [src, dst] = toCnhw ? [nchw, cnhw] : [cnhw, nchw];
      result.set(data.subarray(src, src + plane), dst);
    }
  }
  return result;
}
