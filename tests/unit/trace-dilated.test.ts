import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { convGeometryFields } from './helpers/arbitraries.ts';
import { traceDilatedBackward } from '../../lib/trace/dilated-trace.ts';
import { conv2dBackward } from '../../lib/ops/conv2d-backward.ts';
import { cropTensor, dilateTensor, dilatedPlan, padTensor, rotateKernel180 } from '../../lib/ops/dilated.ts';
import { convGeometry } from '../../lib/geometry.ts';
import type { ConvOptions } from '../../lib/geometry.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { tensor, toNested } from '../../lib/tensor.ts';
import { createRng, randomIntegers, randomUniform } from '../../lib/random.ts';
import { setGemmKernel } from '../../lib/gemm.ts';
import { expectConfigError } from './helpers/expect-config-error.ts';

// The traces and figures replay the reference (JS) kernel's float64 sums: the engine results they
// are compared with bit for bit come from that kernel too (the WASM kernel sums in float32).
setGemmKernel('js');

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, k) => from + k);

/** The H×W plane (n, c) of an NCHW tensor as nested rows. */
function plane(t: Tensor, n = 0, c = 0): number[][] {
  return (toNested(t) as number[][][][])[n][c];
}

describe('the seed example: X 4×4 = 1..16, W [[1,2],[3,4]], stride 2, dy [[2,1],[3,5]]', () => {
  const w = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
  const dy = tensor([1, 1, 2, 2], [2, 1, 3, 5]);
  const trace = traceDilatedBackward(dy, w, [1, 1, 4, 4], { stride: 2 });

  it('dilates dy to [[2,0,1],[0,0,0],[3,0,5]]', () => {
    expect(plane(trace.dilated)).toEqual([
      [2, 0, 1],
      [0, 0, 0],
      [3, 0, 5],
    ]);
  });

  it('pads it to 5×5 with one ring of zeros', () => {
    expect(trace.pad).toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
    expect(plane(trace.padded)).toEqual([
      [0, 0, 0, 0, 0],
      [0, 2, 0, 1, 0],
      [0, 0, 0, 0, 0],
      [0, 3, 0, 5, 0],
      [0, 0, 0, 0, 0],
    ]);
  });

  it('rotates W to [[4,3],[2,1]]', () => {
    expect(plane(trace.rotated)).toEqual([
      [4, 3],
      [2, 1],
    ]);
  });

  it('needs no crop (padding 0), and dx is the scatter dx[2a+u][2b+v] += dy[a][b]·W[u][v]', () => {
    expect(trace.crop).toEqual({ top: 0, bottom: 0, left: 0, right: 0 });
    const W = [
      [1, 2],
      [3, 4],
    ];
    const DY = [
      [2, 1],
      [3, 5],
    ];
    const expected = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
    for (let a = 0; a < 2; a++) {
      for (let b = 0; b < 2; b++) {
        for (let u = 0; u < 2; u++) for (let v = 0; v < 2; v++) expected[2 * a + u][2 * b + v] += DY[a][b] * W[u][v];
      }
    }
    expect(plane(trace.fullConv)).toEqual(expected);
    expect(plane(trace.dx)).toEqual(expected);
  });

  it("gives the same bits as conv2dBackward(…, { method: 'dilated' })", () => {
    const x = tensor([1, 1, 4, 4], range(1, 16));
    const { dx } = conv2dBackward(dy, x, w, { stride: 2 }, { method: 'dilated' });
    expect(trace.dx.shape).toEqual(dx.shape);
    expect(trace.dx.data).toEqual(dx.data);
  });

  it('lists, for output cell (0,0), the window padded[0..1][0..1] against the rotated kernel', () => {
    const cell = trace.cells?.[0];
    expect(cell).toBeDefined();
    expect(cell!.terms.map((t) => [t.y, t.x, t.gradient, t.weight])).toEqual([
      [0, 0, 0, 4],
      [0, 1, 0, 3],
      [1, 0, 0, 2],
      [1, 1, 2, 1],
    ]);
    expect(cell!.value).toBe(2);
    expect(cell!.dx).toEqual([0, 0]);
  });
});

describe('the dilated-method steps', () => {
  it('dilateTensor with stride 2 spreads 1..9 over a 5×5 grid of zeros (the seed slide)', () => {
    const d = dilateTensor(tensor([1, 1, 3, 3], range(1, 9)), [2, 2]);
    expect(plane(d)).toEqual([
      [1, 0, 2, 0, 3],
      [0, 0, 0, 0, 0],
      [4, 0, 5, 0, 6],
      [0, 0, 0, 0, 0],
      [7, 0, 8, 0, 9],
    ]);
  });

  it('dilateTensor with stride [1, 3] only spreads the columns', () => {
    const d = dilateTensor(tensor([1, 1, 2, 2], [1, 2, 3, 4]), [1, 3]);
    expect(plane(d)).toEqual([
      [1, 0, 0, 2],
      [3, 0, 0, 4],
    ]);
  });

  it('padTensor [1,2]×[0,1] then cropTensor by the same amounts gives back every plane', () => {
    const t = randomIntegers([2, 3, 2, 3], createRng(3));
    const p = padTensor(t, [1, 2], [0, 1]);
    expect(p.shape).toEqual([2, 3, 5, 4]);
    expect(plane(p, 1, 2)).toEqual([
      [0, 0, 0, 0],
      [...plane(t, 1, 2)[0], 0],
      [...plane(t, 1, 2)[1], 0],
      [0, 0, 0, 0],
      [0, 0, 0, 0],
    ]);
    const back = cropTensor(p, [1, 2], [0, 1]);
    expect(back.shape).toEqual(t.shape);
    expect(back.data).toEqual(t.data);
  });

  it('rotateKernel180 turns [F=2, C=3, 2, 3] into [C=3, F=2, 2, 3], each kernel upside down and mirrored', () => {
    const w = tensor([2, 3, 2, 3], range(1, 36));
    const r = rotateKernel180(w);
    expect(r.shape).toEqual([3, 2, 2, 3]);
    // filter 1, channel 2 holds 31..36 as [[31,32,33],[34,35,36]]; rotated it sits at [2][1]
    expect(plane(r, 2, 1)).toEqual([
      [36, 35, 34],
      [33, 32, 31],
    ]);
    expect(plane(r, 0, 0)).toEqual([
      [6, 5, 4],
      [3, 2, 1],
    ]);
  });

  it('x=[1,1,5,5] k=2 s=2: the last row and column are never covered, so the bottom/right padding grows by one', () => {
    const g = convGeometry([1, 1, 5, 5], [2, 2], { stride: 2 });
    const plan = dilatedPlan(g);
    expect(plan.uncovered).toEqual([1, 1]);
    expect(plan.pad).toEqual({ top: 1, bottom: 2, left: 1, right: 2 });
    const trace = traceDilatedBackward(tensor([1, 1, 2, 2], [1, 1, 1, 1]), tensor([1, 1, 2, 2], [1, 1, 1, 1]), [1, 1, 5, 5], { stride: 2 });
    expect(plane(trace.dx)).toEqual([
      [1, 1, 1, 1, 0],
      [1, 1, 1, 1, 0],
      [1, 1, 1, 1, 0],
      [1, 1, 1, 1, 0],
      [0, 0, 0, 0, 0],
    ]);
  });

  it('x=[1,1,3,3] k=3 p=1: the full convolution is 5×5 and one ring is cropped off', () => {
    const w = tensor([1, 1, 3, 3], Array(9).fill(1));
    const trace = traceDilatedBackward(tensor([1, 1, 3, 3], Array(9).fill(1)), w, [1, 1, 3, 3], { padding: 1 });
    expect(trace.fullConv.shape).toEqual([1, 1, 5, 5]);
    expect(trace.crop).toEqual({ top: 1, bottom: 1, left: 1, right: 1 });
    expect(plane(trace.fullConv)).toEqual([
      [1, 2, 3, 2, 1],
      [2, 4, 6, 4, 2],
      [3, 6, 9, 6, 3],
      [2, 4, 6, 4, 2],
      [1, 2, 3, 2, 1],
    ]);
    expect(plane(trace.dx)).toEqual([
      [4, 6, 4],
      [6, 9, 6],
      [4, 6, 4],
    ]);
    expect(trace.cells!.filter((cell) => cell.dx === null)).toHaveLength(25 - 9);
  });
});

const geometry = fc.record(convGeometryFields(4)).map((r) => ({
  ...r,
  H: Math.max(1, r.dh * (r.KH - 1) + 1 - 2 * r.ph) + r.extraH,
  W: Math.max(1, r.dw * (r.KW - 1) + 1 - 2 * r.pw) + r.extraW,
}));

describe('random geometries', () => {
  it("the trace's dx is conv2dBackward's dilated dx bit for bit, and its cells replay the full convolution", () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const rng = createRng(g.seed);
        const opts: ConvOptions = { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] };
        const geo = convGeometry([g.N, g.C, g.H, g.W], [g.KH, g.KW], opts);
        const x = randomUniform([g.N, g.C, g.H, g.W], rng);
        const w = randomUniform([g.F, g.C, g.KH, g.KW], rng);
        const dy = randomUniform([g.N, g.F, geo.OH, geo.OW], rng);
        const trace = traceDilatedBackward(dy, w, x.shape, opts);
        const { dx } = conv2dBackward(dy, x, w, opts, { method: 'dilated' });
        expect(trace.dx.shape).toEqual([g.N, g.C, g.H, g.W]);
        expect(trace.dx.data).toEqual(dx.data);

        // stage shapes follow the plan
        const { plan } = trace;
        expect(trace.dilated.shape).toEqual([g.N, g.F, (geo.OH - 1) * g.sh + 1, (geo.OW - 1) * g.sw + 1]);
        expect(trace.padded.shape).toEqual([
          g.N,
          g.F,
          plan.dilated[0] + plan.pad.top + plan.pad.bottom,
          plan.dilated[1] + plan.pad.left + plan.pad.right,
        ]);
        expect(trace.fullConv.shape).toEqual([g.N, g.C, geo.HP, geo.WP]);
        expect(plan.uncovered[0]).toBe((geo.HP - geo.EKH) % g.sh);
        expect(plan.uncovered[1]).toBe((geo.WP - geo.EKW) % g.sw);

        // every cell: its products summed in order (float64, rounded once, as the GEMM does)
        // give the full convolution's value; uncropped cells are dx's values
        const cells = trace.cells;
        expect(cells).not.toBeNull();
        expect(cells!.length).toBe(g.N * g.C * geo.HP * geo.WP);
        for (const cell of cells!) {
          expect(cell.terms.length).toBe(g.F * g.KH * g.KW);
          let sum = 0;
          for (const t of cell.terms) {
            expect(t.product).toBe(t.gradient * t.weight);
            sum += t.product;
          }
          expect(Math.fround(sum)).toBe(cell.value);
          if (cell.dx) {
            const [i, j] = cell.dx;
            expect(i).toBe(cell.i - g.ph);
            expect(j).toBe(cell.j - g.pw);
            expect(trace.dx.data[((cell.n * g.C + cell.c) * g.H + i) * g.W + j]).toBe(cell.value);
          } else {
            const inside = cell.i >= g.ph && cell.i < g.ph + g.H && cell.j >= g.pw && cell.j < g.pw + g.W;
            expect(inside).toBe(false);
          }
        }
      }),
      { numRuns: 60, seed: 4242 },
    );
  });
});

describe('limits and invalid calls', () => {
  it('leaves cells out (null) beyond maxTerms, keeping every stage', () => {
    const rng = createRng(9);
    const trace = traceDilatedBackward(
      randomUniform([1, 2, 4, 4], rng),
      randomUniform([2, 1, 3, 3], rng),
      [1, 1, 6, 6],
      {},
      { maxTerms: 100 },
    );
    expect(trace.cells).toBeNull();
    expect(trace.dx.shape).toEqual([1, 1, 6, 6]);
  });

  it('dy [1, 1, 3, 3] for a forward output [1, 1, 2, 2]', () =>
    expectConfigError(
      () => traceDilatedBackward(tensor([1, 1, 3, 3]), tensor([1, 1, 2, 2]), [1, 1, 4, 4], { stride: 2 }),
      'dy',
      '= [1, 1, 2, 2]',
      'got [1, 1, 3, 3]',
    ));

  it('w has 2 input channels but x has 1', () =>
    expectConfigError(
      () => traceDilatedBackward(tensor([1, 1, 3, 3]), tensor([1, 2, 2, 2]), [1, 1, 4, 4]),
      'w',
      'w has 2 input channels but x has 1',
    ));

  it('stride 0 for dilateTensor', () =>
    expectConfigError(() => dilateTensor(tensor([1, 1, 2, 2]), [0, 1]), 'stride', 'stride must be a positive integer, got 0'));

  it('padTensor with -1 rows on top', () =>
    expectConfigError(() => padTensor(tensor([1, 1, 2, 2]), [-1, 0], [0, 0]), 'padding top', 'got -1'));

  it('cropTensor that would leave nothing of a 2×2 plane', () =>
    expectConfigError(() => cropTensor(tensor([1, 1, 2, 2]), [1, 1], [0, 0]), 'crop', '2×2', 'got 0×2'));
});
