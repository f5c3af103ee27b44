/**
 * Reorders an NCHW batch `[N, C, H, W]` (row-major) into the CNHW matrix `[C, N·H·W]` the GPU ops
 * keep activations in: entry `(n, c, h, w)` moves to row c, column `(n·H + h)·W + w`. With C = 1
 * the two orders coincide. Writes into `out` when given.
 */
export function nchwToCnhw(data: Float32Array, shape: readonly [number, number, number, number], out?: Float32Array): Float32Array {
  const [N, C, H, W] = shape;
  const plane = H * W;
  const result = out ?? new Float32Array(N * C * plane);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const src = (n * C + c) * plane;
      const dst = (c * N + n) * plane;
      for (let p = 0; p < plane; p++) result[dst + p] = data[src + p];
    }
  }
  return result;
}

/** The inverse of nchwToCnhw: CNHW `[C, N·H·W]` back to NCHW `[N, C, H, W]`. */
export function cnhwToNchw(data: Float32Array, shape: readonly [number, number, number, number], out?: Float32Array): Float32Array {
  const [N, C, H, W] = shape;
  const plane = H * W;
  const result = out ?? new Float32Array(N * C * plane);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const src = (c * N + n) * plane;
      const dst = (n * C + c) * plane;
      for (let p = 0; p < plane; p++) result[dst + p] = data[src + p];
    }
  }
  return result;
}
