import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { avgPool2dBackwardLoops, avgPool2dLoops, maxPool2dBackwardLoops, maxPool2dLoops } from '../../lib/reference/pool-loops.ts';
import type { PoolLoopEvent } from '../../lib/reference/pool-loops.ts';
import type { LoopCursor } from '../../lib/trace/loop-cursor.ts';
import { avgPool2d, avgPool2dBackward, maxPool2d, maxPool2dBackward, poolGeometry, routePoolGradient } from '../../lib/ops/pool.ts';
import type { PoolOptions } from '../../lib/ops/pool.ts';
import { ConvConfigError } from '../../lib/errors.ts';
import { tensor, toNested } from '../../lib/tensor.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { createRng, randomUniform } from '../../lib/random.ts';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const SEED = tensor([1, 1, 4, 4], [1, 4, 3, 7, 6, 2, 2, 5, 0, 8, 9, 1, 3, 5, 4, 6]);

/** Runs a loop with an observer and keeps every (cursor, event). */
function recorded<T>(run: (observe: (c: LoopCursor, e: PoolLoopEvent) => void) => T) {
  const events: { cursor: LoopCursor; event: PoolLoopEvent }[] = [];
  const result = run((cursor, event) => events.push({ cursor, event }));
  return { result, events };
}

/** Rebuilds y from the store events alone (the trace contract: replay gives the op's output). */
function replayForward(events: { event: PoolLoopEvent }[], size: number): Float32Array {
  const y = new Float32Array(size);
  for (const { event: e } of events) if (e.kind === 'store') y[e.q] = e.value;
  return y;
}

/** Rebuilds dx from the add events alone: each add's `after` is the pixel's value so far. */
function replayBackward(events: { event: PoolLoopEvent }[], xShape: readonly number[]): Float32Array {
  const [, C, H, W] = xShape;
  const dx = new Float32Array(xShape.reduce((a, b) => a * b, 1));
  for (const { event: e } of events) if (e.kind === 'add') dx[((e.n * C + e.c) * H + e.y) * W + e.x] = e.after;
  return dx;
}

describe('the pooling reference loops on the lesson’s 4×4 example', () => {
  it('max: windows 6, 7, 8, 9 and their rows; one statement per window position, then the store', () => {
    const { result, events } = recorded((o) => maxPool2dLoops(SEED, [2, 2], {}, o));
    expect(Array.from(result.y.data)).toEqual([6, 7, 8, 9]);
    expect(Array.from(result.argmax)).toEqual([2, 1, 1, 0]);
    expect(events.map((e) => e.cursor.mark)).toEqual([
      'im2col',
      ...Array.from({ length: 4 }, () => ['compare', 'compare', 'compare', 'compare', 'store']).flat(),
    ]);
    // Window 2 at its second position: 7 beats 3; the cursor names the loops' variables.
    expect(events[7].cursor.vars).toEqual([
      ['n', 0],
      ['c', 0],
      ['oh', 0],
      ['ow', 1],
      ['kh', 0],
      ['kw', 1],
    ]);
    expect(events[7].event).toMatchObject({ kind: 'compare', q: 1, r: 1, y: 0, x: 3, value: 7, best: 7, arg: 1 });
  });

  it('max with padding: the border positions are skipped and never win, even over negative pixels', () => {
    const neg = tensor([1, 1, 2, 2], [-1, -2, -3, -4]);
    const { result, events } = recorded((o) => maxPool2dLoops(neg, [2, 2], { padding: 1 }, o));
    expect(Array.from(result.y.data)).toEqual([-1, -2, -3, -4]);
    expect(events.filter((e) => e.event.kind === 'skip').length).toBe(12);
  });

  it('average: running sums 1, 5, 11, 13 → 13/4; backward shares 1/4 of dy into every pixel', () => {
    const { result, events } = recorded((o) => avgPool2dLoops(SEED, [2, 2], {}, o));
    expect(events.slice(1, 5).map((e) => e.event.best)).toEqual([1, 5, 11, 13]);
    expect(Array.from(result.data)).toEqual([3.25, 4.25, 4, 5]);
    const dy = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const back = avgPool2dBackwardLoops(dy, SEED.shape, [2, 2]);
    expect(toNested(back.dx)).toEqual([
      [
        [
          [0.25, 0.25, 0.5, 0.5],
          [0.25, 0.25, 0.5, 0.5],
          [0.75, 0.75, 1, 1],
          [0.75, 0.75, 1, 1],
        ],
      ],
    ]);
  });

  it('max backward: dy lands on each window’s winner; the route statement names the row', () => {
    const { argmax } = maxPool2d(SEED, [2, 2]);
    const dy = tensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const { result, events } = recorded((o) => maxPool2dBackwardLoops(dy, argmax, SEED.shape, [2, 2], {}, o));
    expect(toNested(result.dx)).toEqual([
      [
        [
          [0, 0, 0, 2],
          [1, 0, 0, 0],
          [0, 3, 4, 0],
          [0, 0, 0, 0],
        ],
      ],
    ]);
    expect(events.map((e) => e.cursor.mark)).toEqual(['route', 'add', 'route', 'add', 'route', 'add', 'route', 'add']);
    expect(events[0].cursor.vars).toEqual([
      ['n', 0],
      ['c', 0],
      ['oh', 0],
      ['ow', 0],
      ['r', 2],
    ]);
  });

  it('checks its arguments like the ops: a window larger than the padded input is refused', () => {
    expect(() => maxPool2dLoops(SEED, [5, 5])).toThrow(ConvConfigError);
    expect(() => avgPool2dBackwardLoops(SEED, [1, 1, 2, 2], [3, 3])).toThrow(ConvConfigError);
  });
});

interface Geo {
  shape: [number, number, number, number];
  k: [number, number];
  opts: PoolOptions;
  seed: number;
}

const geometry: fc.Arbitrary<Geo> = fc
  .record({
    shape: fc.tuple(
      fc.integer({ min: 1, max: 2 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 1, max: 7 }),
    ),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    pad: fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 })),
    dil: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    seed: fc.integer(),
  })
  .map(({ shape, k, stride, pad, dil, seed }) => ({ shape, k, opts: { stride, padding: pad, dilation: dil }, seed }))
  .filter((g) => {
    try {
      poolGeometry(g.shape, g.k, g.opts);
      return true;
    } catch {
      return false;
    }
  });

/** Random inputs with ties (values from a few integers) so the first-max rule is exercised. */
function inputs(g: Geo): { x: Tensor; dy: Tensor } {
  const rng = createRng(g.seed);
  const x = randomUniform(g.shape, rng, -2, 2);
  for (let k = 0; k < x.data.length; k += 3) x.data[k] = Math.round(x.data[k]);
  const { yShape } = poolGeometry(g.shape, g.k, g.opts);
  return { x, dy: randomUniform([...yShape], rng, -2, 2) };
}

describe('reference loops = engine on random geometries, and their traces replay the ops exactly', () => {
  it('max pooling: y, argmax, dX_col and dx bit for bit (or the engine refuses an all-padding window)', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const { x, dy } = inputs(g);
        let engine: ReturnType<typeof maxPool2d>;
        try {
          engine = maxPool2d(x, g.k, g.opts);
        } catch (err) {
          expect(String(err)).toMatch(/entirely in the zero border/);
          expect(Array.from(maxPool2dLoops(x, g.k, g.opts).argmax)).toContain(-1);
          return;
        }
        const fwd = recorded((o) => maxPool2dLoops(x, g.k, g.opts, o));
        expect(bits(fwd.result.y.data)).toEqual(bits(engine.y.data));
        expect(Array.from(fwd.result.argmax)).toEqual(Array.from(engine.argmax));
        expect(bits(replayForward(fwd.events, engine.y.data.length))).toEqual(bits(engine.y.data));
        const back = recorded((o) => maxPool2dBackwardLoops(dy, engine.argmax, x.shape, g.k, g.opts, o));
        const dx = maxPool2dBackward(dy, engine, g.k, g.opts);
        expect(bits(back.result.dcols.data)).toEqual(bits(routePoolGradient(dy.data, g.k[0] * g.k[1], engine.argmax)));
        expect(bits(back.result.dx.data)).toEqual(bits(dx.data));
        expect(bits(replayBackward(back.events, x.shape))).toEqual(bits(dx.data));
      }),
      { numRuns: 150 },
    );
  });

  it('average pooling: y, dX_col and dx bit for bit', () => {
    fc.assert(
      fc.property(geometry, (g) => {
        const { x, dy } = inputs(g);
        const y = avgPool2d(x, g.k, g.opts);
        const fwd = recorded((o) => avgPool2dLoops(x, g.k, g.opts, o));
        expect(bits(fwd.result.data)).toEqual(bits(y.data));
        expect(bits(replayForward(fwd.events, y.data.length))).toEqual(bits(y.data));
        const back = recorded((o) => avgPool2dBackwardLoops(dy, x.shape, g.k, g.opts, o));
        const dx = avgPool2dBackward(dy, x.shape, g.k, g.opts);
        expect(bits(back.result.dcols.data)).toEqual(bits(routePoolGradient(dy.data, g.k[0] * g.k[1], null)));
        expect(bits(back.result.dx.data)).toEqual(bits(dx.data));
        expect(bits(replayBackward(back.events, x.shape))).toEqual(bits(dx.data));
      }),
      { numRuns: 150 },
    );
  });

  it('a NaN in a window wins it and stays, as in maxPool2d', () => {
    const x = tensor([1, 1, 2, 2], [1, Number.NaN, 5, Number.NaN]);
    const ref = maxPool2dLoops(x, [2, 2]);
    const engine = maxPool2d(x, [2, 2]);
    expect(Number.isNaN(ref.y.data[0])).toBe(true);
    expect(Array.from(ref.argmax)).toEqual(Array.from(engine.argmax));
  });
});
