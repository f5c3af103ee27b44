import { describe, it, expect } from 'vitest';
import {
  DEFAULT_LAYER,
  LAYER_PRESETS,
  applyLayer,
  formatRatio,
  groupDigits,
  initialCalculator,
  layerFromQuery,
  layerToQuery,
  memoryCost,
  presetOf,
  setLayerField,
} from '../../lib/viz/memory-cost.ts';
import type { LayerSettings } from '../../lib/viz/memory-cost.ts';
import { convGeometry } from '../../lib/geometry.ts';
import { im2col } from '../../lib/im2col/im2col.ts';
import { tensor } from '../../lib/tensor.ts';
import { ConvConfigError } from '../../lib/errors.ts';

const preset = (id: string): LayerSettings => {
  const p = LAYER_PRESETS.find((q) => q.id === id);
  if (!p) throw new Error(id);
  return p.settings;
};

describe('AlexNet conv1 (book chapter): 227×227×3, 96 filters 11×11, stride 4', () => {
  const cost = memoryCost(preset('alexnet'));

  it('gives a 55×55 output and X_col of 363×3025, as the chapter says', () => {
    expect([cost.geometry.OH, cost.geometry.OW]).toEqual([55, 55]);
    expect(cost.xColShape).toEqual([363, 3025]);
  });

  it('says "copy" for a 1×1 kernel, which can copy a pixel at most once', () => {
    const one = memoryCost({ ...DEFAULT_LAYER, KH: 1, KW: 1 });
    expect(one.maxCopiesText).toBe('at most 1 copy of a pixel');
  });

  it('counts the bytes of every buffer in float32', () => {
    expect(cost.buffers.map((b) => [b.id, b.label, b.bytes])).toEqual([
      ['input', 'Input [1, 3, 227, 227]', 4 * 3 * 227 * 227],
      ['xcol', 'X_col [363, 3025]', 4 * 363 * 3025],
      ['wrow', 'W_row [96, 363]', 4 * 96 * 363],
      ['output', 'Output [1, 96, 55, 55]', 4 * 96 * 55 * 55],
    ]);
    expect(cost.buffers[1].text).toBe('4.39 MB');
    expect(cost.ratio).toBeCloseTo((363 * 3025) / (3 * 227 * 227), 12);
    expect(cost.ratioText).toBe('7.1×');
    expect(cost.maxCopies).toBe(121);
    expect(cost.maxCopiesText).toBe('at most 121 copies of a pixel');
    expect(cost.summary).toBe("X_col takes 4.39 MB, 7.1× the input's 618.35 kB.");
  });
});

describe('the seed MNIST CNN (Pisa slides), batch 32', () => {
  it('conv1 [32,1,28,28] k2 s2 p0 → 14×14: windows do not overlap, X_col is as big as the input', () => {
    const cost = memoryCost(preset('mnist1'));
    expect([cost.geometry.OH, cost.xColShape]).toEqual([14, [4, 32 * 14 * 14]]);
    expect(cost.ratio).toBe(1);
  });

  it('conv2 [32,32,14,14] k2 s2 p1 → 8×8: the padding zeros are copied too', () => {
    const cost = memoryCost(preset('mnist2'));
    expect([cost.geometry.OH, cost.xColShape]).toEqual([8, [128, 32 * 64]]);
    expect(cost.ratioText).toBe('1.31×');
  });

  it('conv3 [32,64,8,8] k2 s2 p0 → 4×4', () => {
    const cost = memoryCost(preset('mnist3'));
    expect([cost.geometry.OH, cost.xColShape]).toEqual([4, [256, 32 * 16]]);
    expect(cost.buffers[3].shape).toEqual([32, 128, 4, 4]);
  });

  it('a 3×3 stride-1 pad-1 layer copies each pixel about nine times', () => {
    const cost = memoryCost(preset('conv3x3'));
    expect(cost.geometry.OH).toBe(56);
    expect(cost.ratio).toBe(9);
  });
});

describe('agreement with the engine', () => {
  it('X_col bytes equal 4 × the size of the matrix im2col really builds', () => {
    const settings: LayerSettings = { N: 2, C: 3, H: 7, W: 5, F: 4, KH: 3, KW: 2, stride: 2, padding: 1, dilation: 2 };
    const cost = memoryCost(settings);
    const cols = im2col(tensor([2, 3, 7, 5]), [3, 2], { stride: 2, padding: 1, dilation: 2 });
    expect(cost.xColShape).toEqual(cols.shape);
    expect(cost.buffers[1].bytes).toBe(4 * cols.data.length);
    expect(cost.geometry).toEqual(convGeometry([2, 3, 7, 5], [3, 2], { stride: 2, padding: 1, dilation: 2 }));
  });

  it('throws the engine messages for invalid layers', () => {
    expect(() => memoryCost({ ...DEFAULT_LAYER, stride: 0 })).toThrow('stride must be a positive integer, got 0');
    expect(() => memoryCost({ ...DEFAULT_LAYER, KH: 300, KW: 300 })).toThrow('kernel 300×300 does not fit the padded input 227×227');
    expect(() => memoryCost({ ...DEFAULT_LAYER, F: 0 })).toThrow(ConvConfigError);
  });
});

describe('the calculator state', () => {
  it('keeps the last valid cost and carries the engine message', () => {
    const start = initialCalculator();
    const bad = setLayerField(start, 'stride', '0');
    expect(bad.error).toBe('stride must be a positive integer, got 0');
    expect(bad.cost).toBe(start.cost);
    expect(bad.settings.stride).toBe(0);
    const empty = setLayerField(start, 'dilation', '');
    expect(empty.error).toBe('dilation must be a positive integer, got NaN');
    const good = setLayerField(bad, 'stride', '2');
    expect(good.error).toBeNull();
    expect(good.cost.geometry.OH).toBe(109);
  });

  it('recognises presets', () => {
    expect(presetOf(DEFAULT_LAYER)?.id).toBe('alexnet');
    expect(presetOf({ ...DEFAULT_LAYER, N: 2 })).toBeUndefined();
    expect(applyLayer(initialCalculator(), preset('mnist2')).cost.geometry.OH).toBe(8);
  });
});

describe('the layer in the URL', () => {
  it('round-trips through the query under a prefix', () => {
    const settings = preset('mnist2');
    const q = layerToQuery(settings, DEFAULT_LAYER, new URLSearchParams('other=x'), 'mem.');
    expect(q.get('mem.n')).toBe('32');
    expect(q.get('mem.s')).toBe('2');
    expect(q.get('mem.d')).toBeNull();
    expect(q.get('other')).toBe('x');
    expect(layerFromQuery(q, DEFAULT_LAYER, 'mem.')).toEqual({ settings, notices: [] });
  });

  it('ignores garbage with a notice and falls back when the engine refuses', () => {
    const a = layerFromQuery(new URLSearchParams('mem.s=abc&mem.n=2'), DEFAULT_LAYER, 'mem.');
    expect(a.settings).toEqual({ ...DEFAULT_LAYER, N: 2 });
    expect(a.notices).toEqual(['Ignored stride "abc" from the link: it must be an integer of at least 1.']);
    const b = layerFromQuery(new URLSearchParams('mem.kh=500'), DEFAULT_LAYER, 'mem.');
    expect(b.settings).toBe(DEFAULT_LAYER);
    expect(b.notices[0]).toContain('kernel 500×11 does not fit the padded input 227×227');
    expect(layerFromQuery(new URLSearchParams(), DEFAULT_LAYER, 'mem.')).toEqual({ settings: DEFAULT_LAYER, notices: [] });
  });
});

describe('formatting', () => {
  it('groups digits and formats ratios', () => {
    expect(groupDigits(4392300)).toBe('4\u2009392\u2009300');
    expect(groupDigits(999)).toBe('999');
    // Beyond 10²¹ JavaScript prints an exponent: no separators inside it.
    expect(groupDigits(1.991060514358655e65)).toBe('1.99 × 10⁶⁵');
    expect(groupDigits(1.8446744065119617e23)).toBe('1.84 × 10²³');
    expect(formatRatio(7.1032)).toBe('7.1×');
    expect(formatRatio(1.3061)).toBe('1.31×');
    expect(formatRatio(12.34)).toBe('12.3×');
    expect(formatRatio(250.4)).toBe('250×');
  });
});
