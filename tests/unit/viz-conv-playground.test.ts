import { describe, it, expect } from 'vitest';
import {
  buildPlayground, inputIndexAt, outputSizeLines, playgroundMarks, playgroundToQuery, restoreFromQuery, stepFromQuery,
  stepOfOutput, stepToQuery,
} from '../../lib/viz/conv-playground.ts';
import { SEED_SETTINGS, buildExample, randomizeValues, initialState } from '../../lib/viz/conv-settings.ts';
import type { ConvSettings } from '../../lib/viz/conv-settings.ts';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { conv2dNaive } from '../../lib/ops/conv2d-naive.ts';
import { ConvConfigError } from '../../lib/errors.ts';

const settings = (over: Partial<ConvSettings>): ConvSettings => ({ ...SEED_SETTINGS, ...over });

describe('the playground on the seed example (3×3 ⊛ 2×2, Pisa slides)', () => {
  const model = buildPlayground(buildExample(SEED_SETTINGS));

  it('draws the input, the kernel and the engine output 145 191 / 283 329', () => {
    expect(model.padded).toEqual([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    expect(model.kernel).toEqual([[10, 11], [12, 13]]);
    expect(model.output).toEqual([[145, 191], [283, 329]]);
    expect(model.dilatedKernel).toBeNull();
    expect(model.rowHeaders).toEqual(['0', '1', '2']);
  });

  it('has one step per output cell, narrating its dot product', () => {
    expect(model.steps.map((s) => s.narration)).toEqual([
      'out[0,0] = 1·10 + 2·11 + 4·12 + 5·13 = 145',
      'out[0,1] = 2·10 + 3·11 + 5·12 + 6·13 = 191',
      'out[1,0] = 4·10 + 5·11 + 7·12 + 8·13 = 283',
      'out[1,1] = 5·10 + 6·11 + 8·12 + 9·13 = 329',
    ]);
  });

  it('lists each term with where it was read and the running sum', () => {
    const step = model.steps[2];
    expect(step.terms.map((t) => t.line)).toEqual([
      'x[1,0]·w[0,0] = 4·10 = 40',
      'x[1,1]·w[0,1] = 5·11 = 55',
      'x[2,0]·w[1,0] = 7·12 = 84',
      'x[2,1]·w[1,1] = 8·13 = 104',
    ]);
    expect(step.terms.map((t) => t.running)).toEqual([40, 95, 179, 283]);
    expect(step.sum).toBe(283);
  });

  it('marks the window, the kernel and the active output cell', () => {
    const marks = playgroundMarks(model, 2);
    expect(marks.input).toEqual([
      [undefined, undefined, undefined],
      ['source', 'source', undefined],
      ['source', 'source', undefined],
    ]);
    expect(marks.kernel).toEqual([['source', 'source'], ['source', 'source']]);
    expect(marks.output).toEqual([[undefined, undefined], ['active', undefined]]);
  });

  it('links an input pixel to every output cell that reads it', () => {
    expect(model.readers[1][1]).toEqual([0, 1, 2, 3]);
    expect(model.readers[0][0]).toEqual([0]);
    const marks = playgroundMarks(model, 0, { grid: 'input', r: 1, c: 1 });
    expect(marks.output).toEqual([['active', 'target'], ['target', 'target']]);
    expect(marks.input[1][1]).toBe('active');
    // In window 0 the pixel 5 meets the kernel tap w[1,1].
    expect(marks.kernel[1][1]).toBe('active');
  });

  it('links a kernel tap to the pixel it multiplies in the current window', () => {
    const marks = playgroundMarks(model, 3, { grid: 'kernel', r: 0, c: 1 });
    expect(marks.kernel[0][1]).toBe('active');
    expect(marks.input[1][2]).toBe('active');
  });

  it('maps grid cells to edit indices and output cells to steps', () => {
    expect(inputIndexAt(model, 2, 1)).toBe(7);
    expect(inputIndexAt(model, 3, 0)).toBeNull();
    expect(stepOfOutput(model, 1, 0)).toBe(2);
    expect(stepOfOutput(model, 5, 0)).toBe(-1);
  });

  it('plugs the numbers into the output-size formula', () => {
    expect(outputSizeLines(model.geometry)).toEqual([
      'OH = ⌊(3 + 2·0 − 1·(2 − 1) − 1) / 1⌋ + 1 = 2',
      'OW = ⌊(3 + 2·0 − 1·(2 − 1) − 1) / 1⌋ + 1 = 2',
    ]);
  });
});

describe('padding, stride and dilation', () => {
  it('x=[1,1,3,3] k=2 p=1: the padded grid, padding flags and padding terms', () => {
    const model = buildPlayground(buildExample(settings({ padding: 1 })));
    expect(model.geometry.OH).toBe(4);
    expect(model.padded[0]).toEqual([0, 0, 0, 0, 0]);
    expect(model.padded[1]).toEqual([0, 1, 2, 3, 0]);
    expect(model.paddingMask[1]).toEqual([true, false, false, false, true]);
    expect(model.rowHeaders).toEqual(['', '0', '1', '2', '']);
    expect(model.steps[0].narration).toBe('out[0,0] = 0·10 + 0·11 + 0·12 + 1·13 = 13');
    expect(model.steps[0].terms[0].line).toBe('pad·w[0,0] = 0·10 = 0');
    expect(model.steps[0].terms[0].padding).toBe(true);
    expect(inputIndexAt(model, 0, 2)).toBeNull();
    expect(inputIndexAt(model, 1, 1)).toBe(0);
  });

  it('x=[1,1,5,5] k=2 s=2: the windows jump by the stride', () => {
    const model = buildPlayground(buildExample(settings({ H: 5, W: 5, stride: 2 })));
    expect(model.geometry.OH).toBe(2);
    expect(model.steps.map((s) => [s.originY, s.originX])).toEqual([[0, 0], [0, 2], [2, 0], [2, 2]]);
    expect(outputSizeLines(model.geometry)[0]).toBe('OH = ⌊(5 + 2·0 − 1·(2 − 1) − 1) / 2⌋ + 1 = 2');
  });

  it('x=[1,1,5,5] k=2 d=2: taps two apart, the skipped pixels muted, the dilated kernel from the engine', () => {
    const model = buildPlayground(buildExample(settings({ H: 5, W: 5, dilation: 2 })));
    expect(model.geometry.OH).toBe(3);
    expect(model.dilatedKernel).toEqual([[10, 0, 11], [0, 0, 0], [12, 0, 13]]);
    expect(model.steps[0].narration).toBe('out[0,0] = 1·10 + 3·11 + 11·12 + 13·13 = 344');
    const marks = playgroundMarks(model, 0);
    expect(marks.input.slice(0, 3).map((r) => r.slice(0, 3))).toEqual([
      ['source', 'muted', 'source'],
      ['muted', 'muted', 'muted'],
      ['source', 'muted', 'source'],
    ]);
    expect(marks.dilatedKernel).toEqual([
      ['source', 'muted', 'source'],
      ['muted', 'muted', 'muted'],
      ['source', 'muted', 'source'],
    ]);
  });

  it('every step sum equals conv2d and conv2dNaive for random values and many geometries', () => {
    let seed = 1;
    for (const over of [
      { H: 4, W: 5, KH: 3, KW: 2, stride: 1, padding: 1, dilation: 1 },
      { H: 6, W: 6, KH: 2, KW: 3, stride: 2, padding: 2, dilation: 2 },
      { H: 7, W: 4, KH: 3, KW: 3, stride: 3, padding: 0, dilation: 1 },
      { H: 1, W: 1, KH: 1, KW: 1, stride: 1, padding: 3, dilation: 1 },
    ]) {
      const state = randomizeValues(initialState(settings(over)), seed++);
      const model = buildPlayground(state.example);
      const opts = { stride: over.stride, padding: over.padding, dilation: over.dilation };
      const fast = conv2d(state.example.x, state.example.w, null, opts);
      const naive = conv2dNaive(state.example.x, state.example.w, null, opts);
      expect(model.steps.map((s) => s.sum)).toEqual(Array.from(fast.data));
      expect(model.steps.map((s) => s.sum)).toEqual(Array.from(naive.data));
      expect(model.output.flat()).toEqual(Array.from(fast.data));
    }
  });

  it('refuses more than one image, channel or filter', () => {
    expect(() => buildPlayground(buildExample(settings({ C: 2 })))).toThrow(ConvConfigError);
  });
});

describe('the step in the URL', () => {
  it('reads a 1-based step and writes it back', () => {
    expect(stepFromQuery(new URLSearchParams('cv.step=3'), 4, 'cv.')).toEqual({ index: 2, notice: null });
    expect(stepToQuery(2, new URLSearchParams(), 'cv.').toString()).toBe('cv.step=3');
    expect(stepToQuery(0, new URLSearchParams('cv.step=3'), 'cv.').toString()).toBe('');
  });

  it('falls back to the first step with a notice for garbage', () => {
    expect(stepFromQuery(new URLSearchParams(), 4, 'cv.')).toEqual({ index: 0, notice: null });
    const bad = stepFromQuery(new URLSearchParams('cv.step=zz'), 4, 'cv.');
    expect(bad.index).toBe(0);
    expect(bad.notice).toContain('Ignored step "zz"');
    expect(stepFromQuery(new URLSearchParams('cv.step=9'), 4, 'cv.').notice).toContain('from 1 to 4');
  });
});

describe('restoring the playground from a link', () => {
  it('restores settings, values and the step', () => {
    const { state, index, notices } = restoreFromQuery(new URLSearchParams('cv.p=1&cv.s=2&cv.step=3'), 'cv.');
    expect(notices).toEqual([]);
    expect(state.example.geometry.OH).toBe(2);
    expect(state.example.settings.padding).toBe(1);
    expect(index).toBe(2);
    const q = playgroundToQuery(state, index, new URLSearchParams('other=1'), 'cv.');
    expect(q.toString()).toBe('other=1&cv.s=2&cv.p=1&cv.step=3');
  });

  it('garbage falls back to the seed example with notices', () => {
    const { state, index, notices } = restoreFromQuery(new URLSearchParams('cv.s=banana&cv.step=-4&cv.c=2'), 'cv.');
    expect(state.example.settings.stride).toBe(1);
    expect(state.example.geometry.C).toBe(1);
    expect(index).toBe(0);
    expect(notices.length).toBe(3);
    expect(notices[0]).toContain('Ignored stride "banana"');
  });
});

describe('captions', () => {
  it('name the sizes the engine computed', () => {
    const model = buildPlayground(buildExample(settings({ padding: 1, dilation: 2 })));
    expect(model.captions).toEqual({
      input: 'Input 3 × 3, padded to 5 × 5',
      kernel: 'Kernel 2 × 2',
      dilatedKernel: 'Dilated footprint 3 × 3',
      output: 'Output 3 × 3',
    });
  });
});
