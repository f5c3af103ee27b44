import { describe, it, expect } from 'vitest';
import { ConvConfigError } from '../../lib/errors.ts';
import { createRng } from '../../lib/random.ts';
import type { Tensor } from '../../lib/tensor.ts';
import type { ModelPreset, Param } from '../../lib/train/model.ts';
import {
  SEED_CNN,
  OVERLAP_CNN,
  convRelu,
  denseLayer,
  presetShapes,
  paramSpecs,
  forward,
  lossAndGradients,
  predict,
} from '../../lib/train/model.ts';
import { initParams } from '../../lib/train/init.ts';
import { centralDifference, worstError } from './helpers/finite-difference.ts';

/** conv 1→2 k3 s1 p1 (overlapping windows) on 6×6, conv 2→3 k2 s2 → 3×3, dense 27→4 + ReLU, dense 4→3. */
const TINY: ModelPreset = {
  name: 'tiny',
  input: [1, 6, 6],
  layers: [convRelu(1, 2, 3, 1, 1), convRelu(2, 3, 2, 2, 0), { kind: 'flatten' }, denseLayer(27, 4, true), denseLayer(4, 3, false)],
  classes: 3,
};

function randomBatch(shape: number[], seed: number): Tensor {
  const rng = createRng(seed);
  const data = new Float32Array(shape.reduce((a, d) => a * d, 1));
  for (let k = 0; k < data.length; k++) data[k] = rng() * 2 - 1;
  return { shape, data };
}

/** He-initialised parameters with small random biases (so no pre-activation sits at a ReLU kink). */
function tinyParams(seed: number): Param[] {
  const params = initParams(TINY, seed);
  const rng = createRng(seed + 1000);
  for (const p of params) if (p.name.endsWith('.b')) for (let k = 0; k < p.tensor.data.length; k++) p.tensor.data[k] = 0.2 * (rng() - 0.5);
  return params;
}

/**
 * The same model in float64 with direct loops: conv as a 6-deep loop over the padded input, ReLU,
 * flatten, dense, and log-softmax cross-entropy. Independent of the engine's im2col/GEMM path.
 */
function referenceLoss(preset: ModelPreset, values: Float64Array[], x: Tensor, labels: number[]): { loss: number; logits: number[][] } {
  const N = x.shape[0];
  let shape = [...preset.input];
  let acts: Float64Array[] = [];
  const per = x.data.length / N;
  for (let n = 0; n < N; n++) acts.push(Float64Array.from(x.data.subarray(n * per, (n + 1) * per)));
  let p = 0;
  for (const layer of preset.layers) {
    if (layer.kind === 'flatten') {
      shape = [shape.reduce((a, d) => a * d, 1)];
      continue;
    }
    const w = values[p++];
    const b = values[p++];
    if (layer.kind === 'conv') {
      const [C, H, W] = shape;
      const { k, stride: s, padding: pad, outC: F } = layer;
      const OH = Math.floor((H + 2 * pad - k) / s) + 1;
      const OW = Math.floor((W + 2 * pad - k) / s) + 1;
      acts = acts.map((a) => {
        const out = new Float64Array(F * OH * OW);
        for (let f = 0; f < F; f++)
          for (let oh = 0; oh < OH; oh++)
            for (let ow = 0; ow < OW; ow++) {
              let sum = b[f];
              for (let c = 0; c < C; c++)
                for (let i = 0; i < k; i++)
                  for (let j = 0; j < k; j++) {
                    const h = oh * s + i - pad;
                    const wc = ow * s + j - pad;
                    if (h < 0 || h >= H || wc < 0 || wc >= W) continue;
                    sum += w[((f * C + c) * k + i) * k + j] * a[(c * H + h) * W + wc];
                  }
              out[(f * OH + oh) * OW + ow] = layer.relu ? Math.max(0, sum) : sum;
            }
        return out;
      });
      shape = [F, OH, OW];
    } else {
      acts = acts.map((a) => {
        const out = new Float64Array(layer.out);
        for (let o = 0; o < layer.out; o++) {
          let sum = b[o];
          for (let i = 0; i < layer.in; i++) sum += w[o * layer.in + i] * a[i];
          out[o] = layer.relu ? Math.max(0, sum) : sum;
        }
        return out;
      });
      shape = [layer.out];
    }
  }
  let loss = 0;
  acts.forEach((z, n) => {
    const max = Math.max(...z);
    const lse = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
    loss += lse - z[labels[n]];
  });
  return { loss: loss / N, logits: acts.map((z) => [...z]) };
}

describe('the seed CNN preset', () => {
  it('x=[3,1,28,28]: conv 28→14→8→4 with 32, 64, 128 channels, flatten 128·4·4 = 2048, dense 250, logits 10', () => {
    const params = initParams(SEED_CNN, 7);
    const x = randomBatch([3, 1, 28, 28], 1);
    const { logits, caches } = forward(params, x, SEED_CNN);
    expect(caches.map((c) => c.input.shape)).toEqual([
      [3, 1, 28, 28],
      [3, 32, 14, 14],
      [3, 64, 8, 8],
      [3, 128, 4, 4],
      [3, 2048],
      [3, 250],
    ]);
    expect(caches.map((c) => (c.pre ? c.pre.shape : null))).toEqual([
      [3, 32, 14, 14],
      [3, 64, 8, 8],
      [3, 128, 4, 4],
      null,
      [3, 250],
      [3, 10],
    ]);
    expect(logits.shape).toEqual([3, 10]);
    expect(presetShapes(SEED_CNN)).toEqual([[32, 14, 14], [64, 8, 8], [128, 4, 4], [2048], [250], [10]]);
  });

  it('lists its parameters by name with conv kernels [F, C, k, k] and dense weights [out, in]', () => {
    expect(paramSpecs(SEED_CNN).map((s) => [s.name, s.shape])).toEqual([
      ['conv1.w', [32, 1, 2, 2]],
      ['conv1.b', [32]],
      ['conv2.w', [64, 32, 2, 2]],
      ['conv2.b', [64]],
      ['conv3.w', [128, 64, 2, 2]],
      ['conv3.b', [128]],
      ['dense1.w', [250, 2048]],
      ['dense1.b', [250]],
      ['dense2.w', [10, 250]],
      ['dense2.b', [10]],
    ]);
    expect(SEED_CNN.layers.map((l) => (l.kind === 'flatten' ? 'flatten' : l.relu))).toEqual([true, true, true, 'flatten', true, false]);
  });

  it('predict gives the argmax of the float64 reference logits', () => {
    const params = initParams(SEED_CNN, 3);
    const x = randomBatch([4, 1, 28, 28], 2);
    const ref = referenceLoss(
      SEED_CNN,
      params.map((p) => Float64Array.from(p.tensor.data)),
      x,
      [0, 0, 0, 0],
    );
    const expected = ref.logits.map((z) => z.indexOf(Math.max(...z)));
    expect([...predict(params, x, SEED_CNN)]).toEqual(expected);
    const { logits } = forward(params, x, SEED_CNN);
    expect(worstError(logits.data, ref.logits.flat(), { rtol: 1e-4, atol: 1e-5 })).toBeLessThanOrEqual(1);
  });
});

describe('the overlapping-window preset', () => {
  it('3×3 windows with stride 1 or 2 overlap; 28→28→14→7 so dense takes 32·7·7 = 1568 features', () => {
    const convs = OVERLAP_CNN.layers.filter((l) => l.kind === 'conv');
    expect(convs.length).toBeGreaterThan(0);
    for (const c of convs) {
      expect(c.k).toBe(3);
      expect(c.padding).toBe(1);
      expect(c.stride).toBeLessThan(c.k);
    }
    // floor((28 + 2 − 3) / 1) + 1 = 28, floor((28 + 2 − 3) / 2) + 1 = 14, floor((14 + 2 − 3) / 2) + 1 = 7
    const firstDense = OVERLAP_CNN.layers.find((l) => l.kind === 'dense');
    expect(firstDense && firstDense.kind === 'dense' ? firstDense.in : 0).toBe(32 * 7 * 7);
    const params = initParams(OVERLAP_CNN, 1);
    const { logits } = forward(params, randomBatch([2, 1, 28, 28], 4), OVERLAP_CNN);
    expect(logits.shape).toEqual([2, 10]);
  });
});

describe('He initialisation', () => {
  it('weights have mean ≈ 0 and std ≈ sqrt(2 / fan_in); biases are 0', () => {
    const params = initParams(SEED_CNN, 42);
    const fanIn: Record<string, number> = { 'conv1.w': 4, 'conv2.w': 128, 'conv3.w': 256, 'dense1.w': 2048, 'dense2.w': 250 };
    for (const p of params) {
      const d = p.tensor.data;
      if (p.name.endsWith('.b')) {
        expect(d.every((v) => v === 0)).toBe(true);
        continue;
      }
      let mean = 0;
      for (const v of d) mean += v;
      mean /= d.length;
      let varSum = 0;
      for (const v of d) varSum += (v - mean) ** 2;
      const std = Math.sqrt(varSum / d.length);
      const expected = Math.sqrt(2 / fanIn[p.name]);
      // relative error of a sample std is about 1/sqrt(2n); allow 5 of those (and at least 1%)
      const tol = Math.max(0.01, 5 / Math.sqrt(2 * d.length));
      expect(Math.abs(std / expected - 1)).toBeLessThan(tol);
      expect(Math.abs(mean)).toBeLessThan((5 * expected) / Math.sqrt(d.length));
    }
  });

  it('the same seed gives bitwise the same parameters; another seed does not', () => {
    const a = initParams(SEED_CNN, 123);
    const b = initParams(SEED_CNN, 123);
    const c = initParams(SEED_CNN, 124);
    a.forEach((p, k) => {
      expect(b[k].name).toBe(p.name);
      expect(Buffer.from(b[k].tensor.data.buffer).equals(Buffer.from(p.tensor.data.buffer))).toBe(true);
    });
    expect(Buffer.from(c[0].tensor.data.buffer).equals(Buffer.from(a[0].tensor.data.buffer))).toBe(false);
  });

  it('rejects a seed that is not a 32-bit unsigned integer', () => {
    expect(() => initParams(SEED_CNN, -1)).toThrow(ConvConfigError);
    expect(() => initParams(SEED_CNN, 1.5)).toThrow(/seed must be an integer in \[0, 4294967295\], got 1.5/);
  });
});

describe('gradients of the whole model', () => {
  it('tiny model (conv k3 s1 p1, conv k2 s2, dense+ReLU, dense), batch 2: every gradient matches float64 central differences', () => {
    const params = tinyParams(11);
    const x = randomBatch([2, 1, 6, 6], 12);
    const labels = [2, 0];
    const { loss, grads } = lossAndGradients(params, x, labels, TINY);
    const values = params.map((p) => Float64Array.from(p.tensor.data));
    expect(loss).toBeCloseTo(referenceLoss(TINY, values, x, labels).loss, 5);
    expect(grads.map((g) => g.shape)).toEqual(params.map((p) => p.tensor.shape));
    values.forEach((v, k) => {
      const numeric = centralDifference(() => referenceLoss(TINY, values, x, labels).loss, v as unknown as Float32Array, 1e-6);
      expect(worstError(grads[k].data, numeric, { rtol: 1e-3, atol: 1e-5 }), params[k].name).toBeLessThanOrEqual(1);
      // a gradient check that passes only because everything is zero proves nothing
      expect(
        numeric.some((g) => Math.abs(g) > 1e-4),
        params[k].name,
      ).toBe(true);
    });
  });

  it('seed CNN, batch 2: a handful of entries of every parameter match float64 central differences', () => {
    const params = initParams(SEED_CNN, 5);
    const rng = createRng(99);
    for (const p of params)
      if (p.name.endsWith('.b')) for (let k = 0; k < p.tensor.data.length; k++) p.tensor.data[k] = 0.1 * (rng() - 0.5);
    const x = randomBatch([2, 1, 28, 28], 6);
    const labels = [3, 8];
    const { grads } = lossAndGradients(params, x, labels, SEED_CNN);
    const values = params.map((p) => Float64Array.from(p.tensor.data));
    values.forEach((v, k) => {
      const picks = Array.from({ length: 3 }, () => Math.floor(rng() * v.length));
      for (const i of picks) {
        const original = v[i];
        // with thousands of ReLUs downstream a larger step crosses a kink; float64 allows a tiny one
        const h = 1e-7;
        v[i] = original + h;
        const up = referenceLoss(SEED_CNN, values, x, labels).loss;
        v[i] = original - h;
        const down = referenceLoss(SEED_CNN, values, x, labels).loss;
        v[i] = original;
        const numeric = (up - down) / (2 * h);
        expect(Math.abs(grads[k].data[i] - numeric), `${params[k].name}[${i}]`).toBeLessThan(1e-5 + 2e-3 * Math.abs(numeric));
      }
    });
  });
});

describe('invalid models and inputs', () => {
  it('a dense layer whose input size disagrees with the flattened conv output names layers[k].in', () => {
    const bad: ModelPreset = { ...SEED_CNN, layers: SEED_CNN.layers.map((l, i) => (i === 4 ? denseLayer(2000, 250, true) : l)) };
    expect(() => presetShapes(bad)).toThrow(ConvConfigError);
    expect(() => presetShapes(bad)).toThrow(/layers\[4\]\.in must equal the incoming features 2048, got 2000/);
  });

  it('a last layer with ReLU, or a classes count that is not the last width, is rejected', () => {
    const relu: ModelPreset = { ...TINY, layers: [...TINY.layers.slice(0, -1), denseLayer(4, 3, true)] };
    expect(() => presetShapes(relu)).toThrow(/last layer must be a dense layer without ReLU/);
    expect(() => presetShapes({ ...TINY, classes: 4 })).toThrow(/preset.classes must equal the last layer's width 3, got 4/);
  });

  it('parameters of the wrong shape and an input of the wrong size throw ConvConfigError', () => {
    const params = tinyParams(1);
    const x = randomBatch([2, 1, 6, 6], 1);
    const swapped = params.map((p, k) => (k === 0 ? { name: p.name, tensor: { shape: [2, 1, 2, 2], data: new Float32Array(8) } } : p));
    expect(() => forward(swapped, x, TINY)).toThrow(/conv1.w must have shape \[2, 1, 3, 3\], got \[2, 1, 2, 2\]/);
    expect(() => forward(params.slice(1), x, TINY)).toThrow(ConvConfigError);
    expect(() => forward(params, randomBatch([2, 1, 5, 5], 1), TINY)).toThrow(/x must have shape \[N, 1, 6, 6\]/);
    expect(() => lossAndGradients(params, x, [0, 3], TINY)).toThrow(ConvConfigError);
  });
});
