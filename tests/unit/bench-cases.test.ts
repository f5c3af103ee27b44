import { describe, it, expect } from 'vitest';
import {
  ALEXNET_LAYER,
  BENCH_CASES,
  benchCase,
  caseIm2colBytes,
  caseMacs,
  layerGeometry,
  layerIm2colBytes,
  layerMacs,
  layerOutputShape,
  seedLayers,
  toMegabytes,
} from '../../lib/bench/cases.ts';
import { makeCaseInputs } from '../../lib/bench/inputs.ts';
import { convGeometry } from '../../lib/geometry.ts';
import { im2colBytes } from '../../lib/im2col/im2col.ts';
import { ConvConfigError } from '../../lib/errors.ts';

describe('the seed CNN’s convolutions', () => {
  it('follow the slides: (B,1,28,28)→(B,32,14,14)→(B,64,8,8)→(B,128,4,4), 2×2 kernels, stride 2, padding 0/1/0', () => {
    for (const B of [1, 32]) {
      const layers = seedLayers(B);
      expect(layers.map((l) => [...l.x])).toEqual([
        [B, 1, 28, 28],
        [B, 32, 14, 14],
        [B, 64, 8, 8],
      ]);
      expect(layers.map((l) => [...l.w])).toEqual([
        [32, 1, 2, 2],
        [64, 32, 2, 2],
        [128, 64, 2, 2],
      ]);
      expect(layers.map((l) => [l.stride, l.padding])).toEqual([
        [2, 0],
        [2, 1],
        [2, 0],
      ]);
      expect(layers.map(layerOutputShape)).toEqual([
        [B, 32, 14, 14],
        [B, 64, 8, 8],
        [B, 128, 4, 4],
      ]);
    }
  });

  it('chain: each layer’s input is the previous layer’s output', () => {
    const layers = seedLayers(32);
    for (let k = 1; k < layers.length; k++) expect([...layers[k].x]).toEqual(layerOutputShape(layers[k - 1]));
  });

  it('refuses a batch that is not a positive integer', () => {
    expect(() => seedLayers(0)).toThrow(ConvConfigError);
    expect(() => seedLayers(1.5)).toThrow('batch must be a positive integer, got 1.5');
  });
});

describe('geometry and memory of the cases', () => {
  it('the AlexNet-sized layer: 55×55 outputs, X_col 363×3025, 4·363·3025 bytes', () => {
    const g = layerGeometry(ALEXNET_LAYER);
    expect([g.OH, g.OW]).toEqual([55, 55]);
    expect(layerIm2colBytes(ALEXNET_LAYER)).toBe(4 * 363 * 3025);
    expect(toMegabytes(layerIm2colBytes(ALEXNET_LAYER))).toBeCloseTo(4.3923, 4);
    expect(layerMacs(ALEXNET_LAYER)).toBe(96 * 363 * 3025);
  });

  it('every layer’s geometry and im2col size agree with convGeometry and im2colBytes', () => {
    for (const c of BENCH_CASES) {
      for (const l of c.layers) {
        const g = convGeometry(l.x, [l.w[2], l.w[3]], { stride: l.stride, padding: l.padding });
        expect(layerGeometry(l)).toEqual(g);
        expect(layerIm2colBytes(l)).toBe(im2colBytes(g));
        expect(layerIm2colBytes(l)).toBe(4 * l.x[1] * l.w[2] * l.w[3] * l.x[0] * g.OH * g.OW);
      }
    }
  });

  it('a case needs its largest layer’s matrix, and its work is the sum of its layers', () => {
    const c = benchCase('seed-b32');
    // conv2 pads 14×14 to 16×16: X_col is (32·2·2) × (32·8·8) floats.
    expect(caseIm2colBytes(c)).toBe(4 * 128 * 2048);
    expect(caseMacs(c)).toBe(32 * 4 * 32 * 196 + 64 * 128 * 32 * 64 + 128 * 256 * 32 * 16);
    expect(caseMacs(benchCase('seed-b1')) * 32).toBe(caseMacs(c));
  });

  it('has the three cases in order, and names the known ids when asked for another', () => {
    expect(BENCH_CASES.map((c) => [c.id, c.batch, c.group])).toEqual([
      ['seed-b1', 1, 'seed'],
      ['seed-b32', 32, 'seed'],
      ['alexnet', 1, 'large'],
    ]);
    expect(() => benchCase('vgg')).toThrow('case must be one of seed-b1, seed-b32, alexnet, got "vgg"');
  });

  it('refuses a layer whose kernel channels differ from the input’s', () => {
    expect(() => layerGeometry({ ...ALEXNET_LAYER, w: [96, 4, 11, 11] })).toThrow(/kernel channels must equal input channels 3, got 4/);
  });
});

describe('makeCaseInputs', () => {
  it('gives every layer x, w, b and dy of the right shapes, the same for the same seed', () => {
    const c = benchCase('seed-b1');
    const a = makeCaseInputs(c, 7);
    const b = makeCaseInputs(c, 7);
    const other = makeCaseInputs(c, 8);
    a.forEach((l, k) => {
      expect(l.x.shape).toEqual([...c.layers[k].x]);
      expect(l.w.shape).toEqual([...c.layers[k].w]);
      expect(l.b.shape).toEqual([c.layers[k].w[0]]);
      expect(l.dy.shape).toEqual(layerOutputShape(c.layers[k]));
      expect(l.x.data).toEqual(b[k].x.data);
    });
    expect(a[0].x.data).not.toEqual(other[0].x.data);
    for (const v of a[1].w.data) expect(Math.abs(v)).toBeLessThanOrEqual(0.5);
  });
});
