import fc from 'fast-check';

/**
 * The fields of a random convolution geometry for fast-check records: batch N, channels C,
 * filters F, kernel KH×KW, per-axis stride, padding and dilation, how many pixels the input
 * exceeds the dilated kernel by (`extraH/W`, so every geometry is valid), and a value seed.
 */
export function convGeometryFields(extraMax = 5) {
  return {
    N: fc.integer({ min: 1, max: 2 }),
    C: fc.integer({ min: 1, max: 3 }),
    F: fc.integer({ min: 1, max: 3 }),
    KH: fc.integer({ min: 1, max: 3 }),
    KW: fc.integer({ min: 1, max: 3 }),
    sh: fc.integer({ min: 1, max: 3 }),
    sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 2 }),
    pw: fc.integer({ min: 0, max: 2 }),
    dh: fc.integer({ min: 1, max: 3 }),
    dw: fc.integer({ min: 1, max: 3 }),
    extraH: fc.integer({ min: 0, max: extraMax }),
    extraW: fc.integer({ min: 0, max: extraMax }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  };
}

/**
 * Random small unfold geometries (no filters): batch N, channels C, input H×W up to `maxSize`,
 * kernel KH×KW, per-axis stride, padding and dilation, and a value seed — only those whose
 * dilated kernel fits the padded input.
 */
export function unfoldGeometryArb(maxSize = 7) {
  return fc
    .record({
      N: fc.integer({ min: 1, max: 2 }),
      C: fc.integer({ min: 1, max: 3 }),
      H: fc.integer({ min: 1, max: maxSize }),
      W: fc.integer({ min: 1, max: maxSize }),
      KH: fc.integer({ min: 1, max: 3 }),
      KW: fc.integer({ min: 1, max: 3 }),
      sh: fc.integer({ min: 1, max: 3 }),
      sw: fc.integer({ min: 1, max: 3 }),
      ph: fc.integer({ min: 0, max: 2 }),
      pw: fc.integer({ min: 0, max: 2 }),
      dh: fc.integer({ min: 1, max: 3 }),
      dw: fc.integer({ min: 1, max: 3 }),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    })
    .filter((g) => g.dh * (g.KH - 1) + 1 <= g.H + 2 * g.ph && g.dw * (g.KW - 1) + 1 <= g.W + 2 * g.pw);
}
