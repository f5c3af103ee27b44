import { describe, it, expect } from 'vitest';
import { traceConv2dTranspose, stampOverlap } from '../../lib/trace/transpose-trace.ts';
import { conv2dTranspose, checkConvTransposeArgs } from '../../lib/ops/conv2d-transpose.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';

const geometries = [
  { x: [1, 1, 3, 3], w: [1, 1, 3, 3], opts: { stride: 2 } },
  { x: [2, 2, 3, 4], w: [2, 3, 4, 4], opts: { stride: 2, padding: 1 } },
  {
    x: [1, 3, 2, 3],
    w: [3, 2, 3, 2],
    opts: {
      stride: [1, 3] as [number, number],
      padding: [2, 0] as [number, number],
      dilation: [2, 1] as [number, number],
      outputPadding: [1, 2] as [number, number],
    },
  },
];

describe('traceConv2dTranspose', () => {
  it.each(geometries.map((g) => [JSON.stringify(g), g] as const))(
    'replaying the stamps reproduces conv2dTranspose exactly: %s',
    (_name, g) => {
      const rng = createRng(3);
      const x = randomUniform(g.x, rng);
      const w = randomUniform(g.w, rng);
      const b = randomUniform([g.w[1]], rng);
      const trace = traceConv2dTranspose(x, w, b, g.opts);
      const [N, F, H, W] = g.x;
      expect(trace.stamps.length).toBe(N * H * W);
      const replay = new Float32Array(trace.sum.data.length);
      for (const stamp of trace.stamps) {
        expect(stamp.inputs).toEqual(Array.from({ length: F }, (_, f) => x.data[((stamp.n * F + f) * H + stamp.i) * W + stamp.j]));
        for (const add of stamp.adds) {
          expect(add.column).toBe(stamp.column);
          if (add.dropped) continue;
          const at =
            ((add.n * trace.shapes.C + add.c) * trace.shapes.OH + (add.y - trace.shapes.forward.ph)) * trace.shapes.OW +
            (add.x - trace.shapes.forward.pw);
          expect(replay[at]).toBe(add.before);
          replay[at] = add.after;
        }
      }
      expect(Array.from(replay)).toEqual(Array.from(trace.sum.data));
      expect(Array.from(trace.y.data)).toEqual(Array.from(conv2dTranspose(x, w, b, g.opts).data));
    },
  );

  it('overlap counts: kernel 3 stride 2 is a checkerboard, kernel 4 stride 2 (padding 1) is even inside', () => {
    const x = tensor([1, 1, 4, 4], new Array(16).fill(1));
    const k3 = stampOverlap(checkConvTransposeArgs(x, tensor([1, 1, 3, 3]), null, { stride: 2 }));
    expect(k3.shape).toEqual([9, 9]);
    // Along one axis, stride 2 and kernel 3 cover the positions 1, 1, 2, 1, 2, 1, 2, 1, 1 times.
    const axis3 = [1, 1, 2, 1, 2, 1, 2, 1, 1];
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) expect(k3.data[i * 9 + j]).toBe(axis3[i] * axis3[j]);
    const k4 = stampOverlap(checkConvTransposeArgs(x, tensor([1, 1, 4, 4]), null, { stride: 2, padding: 1 }));
    expect(k4.shape).toEqual([8, 8]);
    const axis4 = [1, 2, 2, 2, 2, 2, 2, 1];
    for (let i = 0; i < 8; i++) for (let j = 0; j < 8; j++) expect(k4.data[i * 8 + j]).toBe(axis4[i] * axis4[j]);
  });

  it('refuses a trace over maxEvents', () => {
    expect(() => traceConv2dTranspose(tensor([1, 1, 10, 10]), tensor([1, 1, 3, 3]), null, { maxEvents: 100 })).toThrow(ConvConfigError);
  });
});
