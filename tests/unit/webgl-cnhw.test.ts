import { describe, it, expect } from 'vitest';
import { cnhwToNchw, nchwToCnhw } from '../../lib/webgl/cnhw.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { createRng, randomUniform } from '../../lib/random.ts';

describe('nchwToCnhw', () => {
  it('moves entry (n, c, h, w) to row c, column (n·H + h)·W + w', () => {
    // x = [2, 3, 1, 2]: value = 100n + 10c + w.
    const shape = [2, 3, 1, 2] as const;
    const x = new Float32Array(12);
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let w = 0; w < 2; w++) x[(n * 3 + c) * 2 + w] = 100 * n + 10 * c + w;
    expect(Array.from(nchwToCnhw(x, shape))).toEqual([0, 1, 100, 101, 10, 11, 110, 111, 20, 21, 120, 121]);
  });

  it('is undone by cnhwToNchw', () => {
    const x = randomUniform([3, 4, 5, 2], createRng(7));
    const shape = [3, 4, 5, 2] as const;
    expect(Array.from(cnhwToNchw(nchwToCnhw(x.data, shape), shape))).toEqual(Array.from(x.data));
  });

  it('gives, with a 1×1 kernel, exactly the im2col matrix (the CNHW layout is what the GEMM produces)', () => {
    const x = randomUniform([2, 3, 4, 4], createRng(8));
    expect(Array.from(nchwToCnhw(x.data, [2, 3, 4, 4]))).toEqual(Array.from(im2col(x, [1, 1]).data));
  });
});
