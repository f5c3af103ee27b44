import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  PLAYGROUND_SPEC,
  buildPlaygroundView,
  inputIndexAt,
  outputBlank,
  outputSizeLines,
  playgroundMarks,
  playgroundSteps,
} from '../../lib/viz/conv-playground/index.ts';
import { attemptDraw, drawFigure, readFigureQuery, writeFigureQuery } from '../../lib/viz/figure/index.ts';
import { SEED_SETTINGS, buildExample } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { conv2dNaive } from '../../lib/ops/conv2d-naive.ts';
import { tensor } from '../../lib/tensor.ts';
import { ConvConfigError } from '../../lib/errors.ts';

const settings = (over: Partial<ConvSettings>): ConvSettings => ({ ...SEED_SETTINGS, ...over });

describe('the playground on the seed example (3×3 ⊛ 2×2)', () => {
  const { view, steps } = drawFigure(PLAYGROUND_SPEC, SEED_SETTINGS);

  it('draws the input, the kernel and the loops’ output 145 191 / 283 329', () => {
    expect(view.padded).toEqual([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    expect(view.kernel).toEqual([
      [10, 11],
      [12, 13],
    ]);
    expect(view.output).toEqual([
      [145, 191],
      [283, 329],
    ]);
    expect(view.dilatedKernel).toBeNull();
  });

  it('has one step per statement the loops run: four multiply-adds and a store per output cell', () => {
    expect(steps.map((s) => s.kind).join(' ')).toBe(Array(4).fill('tap tap tap tap store').join(' '));
    expect(steps.filter((s) => s.kind === 'store').map((s) => s.narration)).toEqual([
      'out[0,0] = 1·10 + 2·11 + 4·12 + 5·13 = 145',
      'out[0,1] = 2·10 + 3·11 + 5·12 + 6·13 = 191',
      'out[1,0] = 4·10 + 5·11 + 7·12 + 8·13 = 283',
      'out[1,1] = 5·10 + 6·11 + 8·12 + 9·13 = 329',
    ]);
    expect(steps[11].narration).toBe('out[1,0]: sum += x[1,1]·w[0,1] = 5·11 = 55 → 95');
  });

  it('marks the statement each step runs and carries the loop variables', () => {
    expect(steps.slice(0, 6).map((s) => s.cursor.mark)).toEqual(['multiply', 'multiply', 'multiply', 'multiply', 'store', 'multiply']);
    expect(steps[7].cursor.vars).toEqual([
      ['n', 0],
      ['f', 0],
      ['oh', 0],
      ['ow', 1],
      ['c', 0],
      ['kh', 1],
      ['kw', 0],
    ]);
    expect(steps[9].cursor.vars).toEqual([
      ['n', 0],
      ['f', 0],
      ['oh', 0],
      ['ow', 1],
    ]);
  });

  it('fills the output in as it is computed: blank before a cell’s store step', () => {
    const blanks = (k: number) => [0, 1].flatMap((r) => [0, 1].map((c) => outputBlank(view, steps[k], r, c)));
    expect(blanks(0)).toEqual([true, true, true, true]);
    expect(blanks(4)).toEqual([false, true, true, true]);
    expect(blanks(13)).toEqual([false, false, true, true]);
    expect(blanks(19)).toEqual([false, false, false, false]);
  });

  it('marks the taps read so far, the current one active, and the cell being computed', () => {
    const m = playgroundMarks(view, steps[12]);
    expect(m.input).toEqual([
      [undefined, undefined, undefined],
      ['source', 'source', undefined],
      ['active', 'muted', undefined],
    ]);
    expect(m.kernel).toEqual([
      ['source', 'source'],
      ['active', undefined],
    ]);
    expect(m.output).toEqual([
      [undefined, undefined],
      ['active', undefined],
    ]);
  });

  it('pointing highlights only: an input pixel marks the outputs it feeds, an output cell its window', () => {
    const m = playgroundMarks(view, steps[0], { grid: 'input', r: 1, c: 1 });
    expect(m.output).toEqual([
      ['active', 'target'],
      ['target', 'target'],
    ]);
    expect(m.input[1][1]).toBe('active');
    const o = playgroundMarks(view, steps[0], { grid: 'output', r: 1, c: 1 });
    expect(o.input[2][2]).toBe('target');
  });

  it('states the output-size formula with the engine’s numbers', () => {
    expect(outputSizeLines(view.geometry)).toEqual([
      'OH = ⌊(3 + 2·0 − 1·(2 − 1) − 1) / 1⌋ + 1 = 2',
      'OW = ⌊(3 + 2·0 − 1·(2 − 1) − 1) / 1⌋ + 1 = 2',
    ]);
  });
});

describe('padding and dilation', () => {
  const { view, steps } = drawFigure(PLAYGROUND_SPEC, settings({ H: 4, W: 4, padding: 1, dilation: 2 }));

  it('skips padding taps as statements of their own, and maps padded cells to input indices', () => {
    const first = steps[0];
    expect(first.kind).toBe('pad');
    expect(first.cursor.mark).toBe('pad');
    expect(first.narration).toBe('out[0,0]: tap w[0,0] lands on the zero padding at (-1, -1); nothing is added, the sum stays 0');
    expect(inputIndexAt(view, 0, 0)).toBeNull();
    expect(inputIndexAt(view, 1, 1)).toBe(0);
    expect(view.dilatedKernel).toEqual([
      [10, 0, 11],
      [0, 0, 0],
      [12, 0, 13],
    ]);
  });

  it('gives the engine’s output for random values and geometries (conv2d and conv2dNaive)', () => {
    fc.assert(
      fc.property(
        fc.record({
          H: fc.integer({ min: 1, max: 8 }),
          W: fc.integer({ min: 1, max: 8 }),
          KH: fc.integer({ min: 1, max: 4 }),
          KW: fc.integer({ min: 1, max: 4 }),
          stride: fc.integer({ min: 1, max: 3 }),
          padding: fc.integer({ min: 0, max: 2 }),
          dilation: fc.integer({ min: 1, max: 2 }),
          seed: fc.nat(1000),
        }),
        ({ seed, ...over }) => {
          const attempt = attemptDraw(PLAYGROUND_SPEC, settings(over));
          fc.pre(attempt.ok);
          if (!attempt.ok) return;
          const d = PLAYGROUND_SPEC.randomize!(attempt.drawn.settings, attempt.drawn.example, seed);
          const { example, view: v, steps: s } = drawFigure(PLAYGROUND_SPEC, d);
          const opts = { stride: d.stride, padding: d.padding, dilation: d.dilation };
          expect(v.output.flat()).toEqual(Array.from(conv2d(example.x, example.w, null, opts).data));
          expect(v.output.flat()).toEqual(Array.from(conv2dNaive(example.x, example.w, null, opts).data));
          expect(s.length).toBe(v.geometry.OH * v.geometry.OW * (d.KH * d.KW + 1));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('the playground’s spec', () => {
  it('shows one image, one channel, one filter', () => {
    const example = buildExample(settings({ C: 2 }));
    expect(() => buildPlaygroundView(example)).toThrow(ConvConfigError);
    expect(PLAYGROUND_SPEC.fields.map((f) => f.param)).toEqual(['h', 'w', 'kh', 'kw', 's', 'p', 'd']);
  });

  it('keeps the last picture and says why when the kernel does not fit', () => {
    expect(attemptDraw(PLAYGROUND_SPEC, settings({ KH: 5 }))).toEqual({ ok: false, error: 'kernel 5×2 does not fit the padded input 3×3' });
  });

  it('round-trips its URL: sizes, edited values and the step, with no notice', () => {
    const drawn = drawFigure(
      PLAYGROUND_SPEC,
      settings({ H: 4, W: 4, padding: 1, stride: 2, x: Array.from({ length: 16 }, (_, k) => 16 - k) }),
    );
    const q = writeFigureQuery(PLAYGROUND_SPEC, drawn, 7, new URLSearchParams());
    expect(q.toString()).toBe(
      'cv.h=4&cv.w=4&cv.s=2&cv.p=1&cv.x=16%2C15%2C14%2C13%2C12%2C11%2C10%2C9%2C8%2C7%2C6%2C5%2C4%2C3%2C2%2C1&cv.step=8',
    );
    const back = readFigureQuery(PLAYGROUND_SPEC, q);
    expect(back.notices).toEqual([]);
    expect(back.index).toBe(7);
    expect(back.drawn.view.output).toEqual(drawn.view.output);
  });

  it('replays the same loops as the engine: the seed output from playgroundSteps’ stores', () => {
    const view = buildPlaygroundView(buildExample(SEED_SETTINGS));
    const stores = playgroundSteps(view)
      .filter((s) => s.kind === 'store')
      .map((s) => s.at.event.sum);
    const y = conv2d(tensor([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]), tensor([1, 1, 2, 2], [10, 11, 12, 13]), null);
    expect(stores).toEqual(Array.from(y.data));
  });
});
