import { describe, it, expect } from 'vitest';
import { digitLevels, grayLevels, grayRgba, maxAbs } from '../../lib/viz/trainer/gray.ts';
import { filterTiles, layerFeatureMaps } from '../../lib/viz/trainer/filters.ts';
import { classProbabilities, probabilityBars, softmax } from '../../lib/viz/trainer/probabilities.ts';
import { SEED_CNN, OVERLAP_CNN, forward } from '../../lib/train/model.ts';
import { initParams } from '../../lib/train/init.ts';
import { conv2dNaive } from '../../lib/ops/conv2d-naive.ts';
import { createRng } from '../../lib/random.ts';
import { ConvConfigError } from '../../lib/errors.ts';

function randomImage(seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: 784 }, () => rng());
}

describe('gray levels', () => {
  it('signed: zero is mid-gray, ±scale black and white, clamped beyond', () => {
    expect(Array.from(grayLevels([0, 2, -2, 1, 5], 2, true))).toEqual([0.5, 1, 0, 0.75, 1]);
  });

  it('unsigned: v / scale clamped, zero scale black (or mid-gray when signed)', () => {
    expect(Array.from(grayLevels([0, 1, 4, -1], 4, false))).toEqual([0, 0.25, 1, 0]);
    expect(Array.from(grayLevels([0, 0], 0, false))).toEqual([0, 0]);
    expect(Array.from(grayLevels([0], 0, true))).toEqual([0.5]);
    expect(() => grayLevels([1], -1, false)).toThrow(/scale must be a finite number ≥ 0, got -1/);
  });

  it('maxAbs ignores non-finite values', () => {
    expect(maxAbs([1, -3, NaN, Infinity, 2])).toBe(3);
    expect(maxAbs([])).toBe(0);
  });

  it('RGBA bytes are opaque grays, optionally inverted', () => {
    expect(Array.from(grayRgba([0, 1, 0.5]))).toEqual([0, 0, 0, 255, 255, 255, 255, 255, 128, 128, 128, 255]);
    expect(Array.from(grayRgba([0], true))).toEqual([255, 255, 255, 255]);
  });

  it('a test digit is read from its 784 bytes and scaled to [0, 1]', () => {
    const images = new Uint8Array(784 * 2);
    images[784 + 5] = 255;
    images[784 + 6] = 51;
    const d = digitLevels(images, 1);
    expect(d[5]).toBe(1);
    expect(d[6]).toBeCloseTo(0.2, 6);
    expect(d[0]).toBe(0);
    expect(() => digitLevels(images, 2)).toThrow(/index must be an integer in \[0, 1\], got 2/);
  });
});

describe('first-layer filters and feature maps', () => {
  const params = initParams(SEED_CNN, 3);

  it('shows the seed CNN as 32 kernels 2×2 on one signed scale', () => {
    const f = filterTiles(params, SEED_CNN);
    const w = params[0].tensor.data;
    expect(f.tiles).toHaveLength(32);
    expect(f.tiles[0]).toMatchObject({ width: 2, height: 2, label: 'filter 1' });
    const scale = Math.max(...Array.from(w, Math.abs));
    expect(f.scale).toBe(scale);
    // Filter 5's pixel (1, 0) is w[5][0][1][0] = w[5·4 + 2].
    expect(f.tiles[5].levels[2]).toBeCloseTo(0.5 + w[22] / (2 * scale), 6);
    expect(f.legend).toMatch(/^32 kernels 2×2: mid-gray is 0/);
  });

  it('feature maps equal the naive convolution + bias + ReLU, scaled by the largest activation', () => {
    const b = Float32Array.from({ length: 32 }, (_, k) => (k - 16) / 100);
    const withBias = params.map((p, k) => (k === 1 ? { name: p.name, tensor: { shape: [32], data: b } } : p));
    const image = randomImage(9);
    const fm = layerFeatureMaps(withBias, SEED_CNN, image)[0];
    const ref = conv2dNaive({ shape: [1, 1, 28, 28], data: image }, params[0].tensor, { shape: [32], data: b }, { stride: 2 });
    const relu = Array.from(ref.data, (v) => Math.max(0, v));
    const top = Math.max(...relu);
    expect(fm.scale).toBeCloseTo(top, 5);
    expect(fm.maps).toHaveLength(32);
    expect(fm.maps[0]).toMatchObject({ width: 14, height: 14 });
    for (const f of [0, 7, 31]) {
      for (const p of [0, 50, 195]) expect(fm.maps[f].levels[p]).toBeCloseTo(relu[f * 196 + p] / top, 5);
    }
  });

  it('every conv layer’s maps: layer 2 equals two naive convolutions + bias + ReLU chained by hand', () => {
    const image = randomImage(4);
    const layers = layerFeatureMaps(params, SEED_CNN, image);
    expect(layers.map((l) => [l.layer, l.maps.length, l.maps[0].width])).toEqual([
      [1, 32, 14],
      [2, 64, 8],
      [3, 128, 4],
    ]);
    expect(layers[1].title).toBe('Layer 2: conv 2×2 stride 2 padding 1, 64 maps 8×8');
    const reluOf = (t: { shape: readonly number[]; data: Float32Array }) => ({
      shape: t.shape,
      data: Float32Array.from(t.data, (v) => Math.max(0, v)),
    });
    const a1 = reluOf(conv2dNaive({ shape: [1, 1, 28, 28], data: image }, params[0].tensor, params[1].tensor, { stride: 2 }));
    const a2 = reluOf(conv2dNaive(a1, params[2].tensor, params[3].tensor, { stride: 2, padding: 1 }));
    const top = Math.max(...a2.data);
    expect(layers[1].scale).toBeCloseTo(top, 4);
    for (const f of [0, 33, 63]) {
      for (const q of [0, 27, 63]) expect(layers[1].maps[f].levels[q]).toBeCloseTo(a2.data[f * 64 + q] / top, 4);
    }
  });

  it('works for the overlapping preset: 8 maps 28×28 (stride 1, padding 1)', () => {
    const p = initParams(OVERLAP_CNN, 1);
    expect(filterTiles(p, OVERLAP_CNN).tiles[0]).toMatchObject({ width: 3, height: 3 });
    const fm = layerFeatureMaps(p, OVERLAP_CNN, randomImage(2))[0];
    expect(fm.maps).toHaveLength(8);
    expect(fm.maps[0]).toMatchObject({ width: 28, height: 28 });
  });

  it('rejects params of another preset and an image of the wrong size', () => {
    expect(() => filterTiles(params, OVERLAP_CNN)).toThrow(ConvConfigError);
    expect(() => layerFeatureMaps(params, SEED_CNN, new Float32Array(10))).toThrow(
      /image must be a Float32Array of 1·28·28 = 784 values, got 10/,
    );
  });
});

describe('class probabilities', () => {
  it('softmax by hand: [0, ln 3] → [¼, ¾]; stable for large logits', () => {
    const p = softmax([0, Math.log(3)]);
    expect(p[0]).toBeCloseTo(0.25, 12);
    expect(p[1]).toBeCloseTo(0.75, 12);
    const big = softmax([1000, 1000]);
    expect(big).toEqual([0.5, 0.5]);
    expect(() => softmax([NaN])).toThrow(/logits\[0\] must be finite/);
  });

  it('bars read as text and mark the best class', () => {
    const r = probabilityBars([0.01, 0.02, 0.931, 0.039]);
    expect(r.bars.map((b) => b.text)).toEqual(['0: 1.0%', '1: 2.0%', '2: 93.1%', '3: 3.9%']);
    expect(r.best).toBe(2);
    expect(r.bars[2].best).toBe(true);
    expect(r.summary).toBe('The network reads a 2 (93.1%).');
    const eight = Array.from({ length: 10 }, (_, k) => (k === 8 ? 0.91 : 0.01));
    expect(probabilityBars(eight).summary).toBe('The network reads an 8 (91.0%).');
  });

  it('matches the softmax of the engine forward pass and sums to 1', () => {
    const params = initParams(SEED_CNN, 5);
    const image = randomImage(4);
    const r = classProbabilities(params, SEED_CNN, image);
    const logits = forward(params, { shape: [1, 1, 28, 28], data: image }, SEED_CNN).logits.data;
    const e = Array.from(logits, (z) => Math.exp(z));
    const s = e.reduce((a, b) => a + b, 0);
    r.bars.forEach((b, k) => expect(b.probability).toBeCloseTo(e[k] / s, 6));
    expect(r.bars.reduce((a, b) => a + b.probability, 0)).toBeCloseTo(1, 9);
    expect(r.best).toBe(e.indexOf(Math.max(...e)));
  });

  it('rejects an image of the wrong size', () => {
    expect(() => classProbabilities(initParams(SEED_CNN, 1), SEED_CNN, new Float32Array(783))).toThrow(
      /image must be a Float32Array of 784 values, got 783/,
    );
  });
});
