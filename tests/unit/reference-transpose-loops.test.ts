import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { conv2dTransposeLoops, TRANSPOSE_LOOP_MARKS } from '../../lib/reference/conv2d-transpose-loops.ts';
import type { TransposeLoopEvent } from '../../lib/reference/conv2d-transpose-loops.ts';
import { conv2dTranspose } from '../../lib/ops/conv2d-transpose.ts';
import { createRng, randomUniform } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { tensor } from '../../lib/tensor.ts';
import source from '../../lib/reference/conv2d-transpose-loops.ts?raw';
import { expectConfigError } from './helpers/expect-config-error.ts';

const geometry = fc.record({
  N: fc.integer({ min: 1, max: 2 }),
  F: fc.integer({ min: 1, max: 3 }),
  C: fc.integer({ min: 1, max: 2 }),
  H: fc.integer({ min: 1, max: 4 }),
  W: fc.integer({ min: 1, max: 4 }),
  KH: fc.integer({ min: 1, max: 3 }),
  KW: fc.integer({ min: 1, max: 3 }),
  s: fc.integer({ min: 1, max: 3 }),
  p: fc.integer({ min: 0, max: 2 }),
  d: fc.integer({ min: 1, max: 2 }),
  op: fc.integer({ min: 0, max: 2 }),
  seed: fc.integer({ min: 1, max: 1e6 }),
});

/** Runs both, or returns null when the engine refuses the geometry (the reference must refuse it too). */
type Geometry = typeof geometry extends fc.Arbitrary<infer T> ? T : never;

function both(g: Geometry) {
  const rng = createRng(g.seed);
  const x = randomUniform([g.N, g.F, g.H, g.W], rng);
  const w = randomUniform([g.F, g.C, g.KH, g.KW], rng);
  const opts = { stride: g.s, padding: g.p, dilation: g.d, outputPadding: g.op };
  let engine;
  try {
    engine = conv2dTranspose(x, w, null, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(ConvConfigError);
    expect(() => conv2dTransposeLoops(x, w, opts)).toThrow(ConvConfigError);
    return null;
  }
  const events: TransposeLoopEvent[] = [];
  const reference = conv2dTransposeLoops(x, w, opts, (_, e) => events.push(e));
  return { engine, reference, events, g };
}

describe('conv2dTransposeLoops (the reference lesson 11 replays)', () => {
  it('equals conv2dTranspose on random geometries (to float32 rounding; bit for bit with one input channel)', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const r = both(g);
        if (!r) return;
        expect(r.reference.shape).toEqual(r.engine.shape);
        for (let k = 0; k < r.engine.data.length; k++) {
          if (g.F === 1) expect(r.reference.data[k]).toBe(r.engine.data[k]);
          else expect(Math.abs(r.reference.data[k] - r.engine.data[k])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(r.engine.data[k])));
        }
      }),
      { numRuns: 150, seed: 11 },
    );
  });

  it('its events replay to its output exactly, one per tap in loop order, crops outside the output', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const r = both(g);
        if (!r) return;
        const [N, C, OH, OW] = r.reference.shape;
        expect(r.events.length).toBe(N * g.H * g.W * C * g.KH * g.KW);
        const replay = new Float32Array(N * C * OH * OW);
        for (const e of r.events) {
          const inside = e.oh >= 0 && e.oh < OH && e.ow >= 0 && e.ow < OW;
          expect(e.kind).toBe(inside ? 'add' : 'crop');
          if (e.kind === 'crop') continue;
          const k = ((e.n * C + e.c) * OH + e.oh) * OW + e.ow;
          expect(replay[k]).toBe(e.before);
          replay[k] += e.value;
          expect(replay[k]).toBe(e.after);
        }
        expect(Array.from(replay)).toEqual(Array.from(r.reference.data));
      }),
      { numRuns: 80, seed: 12 },
    );
  });

  it('the hand-worked seed: dY = 1…4 stamped through the kernel 10…13 at stride 1', () => {
    // y(1,1) = 1·13 + 2·12 + 3·11 + 4·10 = 110; y(1,2) = 2·13 + 4·11 = 70; y(2,1) = 3·13 + 4·12 = 87.
    const y = conv2dTransposeLoops(tensor([1, 1, 2, 2], [1, 2, 3, 4]), tensor([1, 1, 2, 2], [10, 11, 12, 13]));
    expect(Array.from(y.data)).toEqual([10, 31, 22, 42, 110, 70, 36, 87, 52]);
  });

  it('refuses what the engine refuses, by name', () => {
    expectConfigError(
      () => conv2dTransposeLoops(tensor([1, 1, 2, 2]), tensor([1, 1, 3, 3]), { outputPadding: 2, stride: 2 }),
      'outputPadding',
      /from 0 to 1/,
    );
  });

  it('every mark is exactly one line of the function the code panel shows', () => {
    const body = source.slice(source.indexOf('export function conv2dTransposeLoops('), source.indexOf('export const TRANSPOSE_LOOP_MARKS'));
    for (const fragment of Object.values(TRANSPOSE_LOOP_MARKS)) {
      expect(body.split('\n').filter((line) => line.includes(fragment))).toHaveLength(1);
    }
  });
});
