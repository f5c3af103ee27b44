import { describe, it, expect } from 'vitest';
import { buildOrFallback, readStepParam, writeStepParam } from '../../lib/viz/figure-query.ts';
import { matrixTeX } from '../../lib/viz/tex.ts';
import { SEED_SETTINGS } from '../../lib/viz/conv-settings.ts';
import type { ConvExample, ConvSettings } from '../../lib/viz/conv-settings.ts';
import { convGeometry } from '../../lib/index.ts';

const q = (s: string) => new URLSearchParams(s);

describe('readStepParam', () => {
  it('turns a 1-based step into a 0-based index, silently', () => {
    const notices: string[] = [];
    expect(readStepParam(q('xx.step=3'), 'xx.step', 4, notices)).toBe(2);
    expect(readStepParam(q('xx.step=1'), 'xx.step', 4, notices)).toBe(0);
    expect(readStepParam(q('xx.step=4'), 'xx.step', 4, notices)).toBe(3);
    expect(notices).toEqual([]);
  });

  it('gives 0 without a notice when the key is missing (other prefixes are not read)', () => {
    const notices: string[] = [];
    expect(readStepParam(q('yy.step=3'), 'xx.step', 4, notices)).toBe(0);
    expect(notices).toEqual([]);
  });

  it('gives 0 and the notice for garbage, 0, out of range, decimals and blanks', () => {
    for (const raw of ['zz', '0', '5', '2.5', '', ' ', '-1']) {
      const notices: string[] = [];
      expect(readStepParam(q(`xx.step=${encodeURIComponent(raw)}`), 'xx.step', 4, notices)).toBe(0);
      expect(notices).toEqual([`Ignored step "${raw}" from the link: it must be an integer from 1 to 4.`]);
    }
  });

  it('appends to the notices already there', () => {
    const notices = ['earlier'];
    readStepParam(q('xx.step=9'), 'xx.step', 2, notices);
    expect(notices).toEqual(['earlier', 'Ignored step "9" from the link: it must be an integer from 1 to 2.']);
  });
});

describe('writeStepParam', () => {
  it('writes the step 1-based and leaves other keys alone', () => {
    const query = q('a=1');
    expect(writeStepParam(query, 'xx.step', 2)).toBe(query);
    expect(query.toString()).toBe('a=1&xx.step=3');
  });

  it('removes the key at the first step', () => {
    expect(writeStepParam(q('a=1&xx.step=3'), 'xx.step', 0).toString()).toBe('a=1');
    expect(writeStepParam(q('xx.step=3'), 'xx.step', -1).toString()).toBe('');
  });

  it('round-trips with readStepParam', () => {
    for (const index of [0, 1, 5]) {
      const notices: string[] = [];
      expect(readStepParam(writeStepParam(q(''), 's', index), 's', 6, notices)).toBe(index);
      expect(notices).toEqual([]);
    }
  });
});

describe('buildOrFallback', () => {
  const outputCount = (example: ConvExample) => example.geometry.OH * example.geometry.OW;

  it('builds the state and the view from drawable settings', () => {
    const settings: ConvSettings = { ...SEED_SETTINGS, H: 4, W: 4 };
    const notices: string[] = [];
    const { state, view } = buildOrFallback(settings, SEED_SETTINGS, outputCount, notices);
    expect(state.settings).toBe(settings);
    expect(state.error).toBeNull();
    const g = convGeometry([1, 1, 4, 4], [2, 2], { stride: 1, padding: 0, dilation: 1 });
    expect(view).toBe(g.OH * g.OW);
    expect(view).toBe(9);
    expect(notices).toEqual([]);
  });

  it("falls back to the defaults with the engine's message when the engine refuses the settings", () => {
    const notices: string[] = [];
    const { state, view } = buildOrFallback({ ...SEED_SETTINGS, KH: 5 }, SEED_SETTINGS, outputCount, notices);
    expect(state.settings).toBe(SEED_SETTINGS);
    expect(state.error).toBeNull();
    expect(view).toBe(4);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^The link's settings could not be drawn \(.+\); showing the defaults instead\.$/);
  });

  it("falls back when the figure's own build refuses, with the build's message", () => {
    const notices: string[] = ['earlier'];
    const picky = (example: ConvExample) => {
      if (example.settings.H > 3) throw new Error('too tall to draw');
      return example.settings.H;
    };
    const { state, view } = buildOrFallback({ ...SEED_SETTINGS, H: 5 }, SEED_SETTINGS, picky, notices);
    expect(state.settings).toBe(SEED_SETTINGS);
    expect(view).toBe(3);
    expect(notices).toEqual(['earlier', "The link's settings could not be drawn (too tall to draw); showing the defaults instead."]);
  });
});

describe('matrixTeX', () => {
  it('writes a grid as a bmatrix with the figures’ number format', () => {
    expect(matrixTeX([[1, 2], [3, 4]])).toBe('\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}');
    expect(matrixTeX([[0.5, -0, 1 / 3]])).toBe('\\begin{bmatrix} 0.5 & 0 & 0.333 \\end{bmatrix}');
  });
});
