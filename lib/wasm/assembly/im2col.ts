// AssemblyScript: im2col inside the module's memory, so that conv2d on the WebAssembly kernel
// builds its matrix where the GEMM reads it (no JS loop, no copy). Same layout as lib/im2col:
// cols[r][q] with r = (c·KH + kh)·KW + kw, q = (n·OH + oh)·OW + ow,
// cols[r][q] = x[n][c][oh·sh + kh·dh − ph][ow·sw + kw·dw − pw], 0 where that is padding.

@inline function max(a: i32, b: i32): i32 {
  return a > b ? a : b;
}

@inline function min(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** Fills `out` ([C·KH·KW, N·OH·OW] f32) from `x` ([N, C, H, W] f32); byte offsets into this memory. */
export function im2col(
  x: usize, N: i32, C: i32, H: i32, W: i32, KH: i32, KW: i32,
  sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, OH: i32, OW: i32, out: usize,
): void {
  let dst = out;
  const rowBytes = <usize>OW << 2;
  for (let c = 0; c < C; c++) {
    for (let kh = 0; kh < KH; kh++) {
      for (let kw = 0; kw < KW; kw++) {
        const off = kw * dw - pw; // input column = ow·sw + off
        // Output columns whose input column lies inside 0…W−1: owStart ≤ ow < owEnd.
        const owStart = off >= 0 ? 0 : min(OW, (-off + sw - 1) / sw);
        const owEnd = W - 1 - off < 0 ? 0 : max(owStart, min(OW, (W - 1 - off) / sw + 1));
        for (let n = 0; n < N; n++) {
          const plane = x + (<usize>((n * C + c) * H * W) << 2);
          for (let oh = 0; oh < OH; oh++, dst += rowBytes) {
            const y = oh * sh + kh * dh - ph;
            if (y < 0 || y >= H || owEnd <= owStart) {
              memory.fill(dst, 0, rowBytes);
              continue;
            }
            const src = plane + (<usize>(y * W + off) << 2);
            if (owStart > 0) memory.fill(dst, 0, <usize>owStart << 2);
            if (sw == 1) {
              memory.copy(dst + (<usize>owStart << 2), src + (<usize>owStart << 2), <usize>(owEnd - owStart) << 2);
            } else {
              const step = <usize>sw << 2;
              let s = src + <usize>(owStart * sw) * 4;
              for (let ow = owStart; ow < owEnd; ow++, s += step) store<f32>(dst + (<usize>ow << 2), load<f32>(s));
            }
            if (owEnd < OW) memory.fill(dst + (<usize>owEnd << 2), 0, <usize>(OW - owEnd) << 2);
          }
        }
      }
    }
  }
}
