import { describe, it, expect } from 'vitest';
import { ConvConfigError } from '../../lib/errors.ts';
import { createRng } from '../../lib/random.ts';
import type { Tensor } from '../../lib/tensor.ts';
import { loadMnistSplit, imageBatch } from '../../lib/data/mnist.ts';
import type { ModelPreset, Param } from '../../lib/train/model.ts';
import { SEED_CNN, convRelu, denseLayer, lossAndGradients, predict } from '../../lib/train/model.ts';
import { initParams } from '../../lib/train/init.ts';
import { createAdam, createSgd } from '../../lib/train/optimizer.ts';
import type { Optimizer } from '../../lib/train/optimizer.ts';
import { trainStep } from '../../lib/train/train-step.ts';
import { findMnistDigits, readMnistFile, MNIST_MISSING } from './helpers/mnist-dir.ts';

const TINY: ModelPreset = {
  name: 'tiny',
  input: [1, 6, 6],
  layers: [convRelu(1, 2, 2, 2, 0), { kind: 'flatten' }, denseLayer(18, 3, false)],
  classes: 3,
};

function randomBatch(shape: number[], seed: number): Tensor {
  const rng = createRng(seed);
  const data = new Float32Array(shape.reduce((a, d) => a * d, 1));
  for (let k = 0; k < data.length; k++) data[k] = rng();
  return { shape, data };
}

const snapshot = (params: Param[]) => params.map((p) => Float32Array.from(p.tensor.data));

describe('SGD with momentum', () => {
  it('lr 0.1, momentum 0.9, two steps on [1, −2, 0.5] match the hand computation', () => {
    const p = new Float32Array([1, -2, 0.5]);
    const sgd = createSgd({ lr: 0.1, momentum: 0.9 });
    sgd.step([p], [new Float32Array([0.5, -1, 2])]);
    // v = g1 = [0.5, −1, 2]; p = [1 − 0.05, −2 + 0.1, 0.5 − 0.2]
    expect([...p].map((v) => +v.toFixed(6))).toEqual([0.95, -1.9, 0.3]);
    sgd.step([p], [new Float32Array([1, 0, -0.5])]);
    // v = 0.9·[0.5, −1, 2] + [1, 0, −0.5] = [1.45, −0.9, 1.3]; p −= 0.1·v
    expect([...p].map((v) => +v.toFixed(6))).toEqual([0.805, -1.81, 0.17]);
    expect(sgd.steps).toBe(2);
  });

  it('momentum 0 is plain SGD: p − lr·g', () => {
    const p = new Float32Array([2, 4]);
    const sgd = createSgd({ lr: 0.5 });
    sgd.step([p], [new Float32Array([1, -2])]);
    sgd.step([p], [new Float32Array([1, -2])]);
    expect([...p]).toEqual([1, 6]);
  });
});

describe('Adam', () => {
  it('lr 0.1 with β1 0.9, β2 0.999, ε 1e-8, two steps on [1, −2, 0.5] match the hand computation', () => {
    const p = new Float32Array([1, -2, 0.5]);
    const adam = createAdam({ lr: 0.1 });
    const g1 = [0.5, -1, 2];
    const g2 = [1, 0, -0.5];
    adam.step([p], [new Float32Array(g1)]);
    // step 1: m̂ = g, v̂ = g², so each entry moves by lr·g/(|g| + ε) ≈ 0.1·sign(g)
    expect(p[0]).toBeCloseTo(0.9, 6);
    expect(p[1]).toBeCloseTo(-1.9, 6);
    expect(p[2]).toBeCloseTo(0.4, 6);
    adam.step([p], [new Float32Array(g2)]);
    // step 2, entry 0: m = 0.09·0.5 + 0.1·1 = 0.145, v = 0.000999·0.25 + 0.001·1 = 0.00124975
    //   m̂ = 0.145 / 0.19, v̂ = 0.00124975 / 0.001999
    // entry 1: m = 0.09·(−1) = −0.09, v = 0.000999·1 = 0.000999
    // entry 2: m = 0.09·2 + 0.1·(−0.5) = 0.13, v = 0.000999·4 + 0.001·0.25 = 0.004246
    const c1 = 1 - 0.81;
    const c2 = 1 - 0.998001;
    const update = (m: number, v: number) => (0.1 * (m / c1)) / (Math.sqrt(v / c2) + 1e-8);
    expect(p[0]).toBeCloseTo(0.9 - update(0.145, 0.00124975), 6);
    expect(p[1]).toBeCloseTo(-1.9 - update(-0.09, 0.000999), 6);
    expect(p[2]).toBeCloseTo(0.4 - update(0.13, 0.004246), 6);
    expect(p[0]).toBeCloseTo(0.8034817, 5); // 0.9 − 0.0965183
    expect(adam.steps).toBe(2);
  });
});

describe('optimizer settings', () => {
  it('invalid hyperparameters throw ConvConfigError naming the parameter', () => {
    const cases: [() => Optimizer, string, RegExp][] = [
      [() => createSgd({ lr: 0 }), 'lr', /lr must be a positive finite number, got 0/],
      [() => createSgd({ lr: Number.NaN }), 'lr', /lr must be a positive finite number, got NaN/],
      [() => createSgd({ lr: 0.1, momentum: 1 }), 'momentum', /momentum must be a number in \[0, 1\), got 1/],
      [() => createAdam({ lr: -1 }), 'lr', /lr must be a positive finite number, got -1/],
      [() => createAdam({ lr: 0.1, beta1: -0.1 }), 'beta1', /beta1 must be a number in \[0, 1\), got -0.1/],
      [() => createAdam({ lr: 0.1, beta2: 1 }), 'beta2', /beta2 must be a number in \[0, 1\), got 1/],
      [() => createAdam({ lr: 0.1, eps: 0 }), 'eps', /eps must be a positive finite number, got 0/],
    ];
    for (const [make, parameter, message] of cases) {
      let error: unknown;
      try {
        make();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConvConfigError);
      expect((error as ConvConfigError).parameter).toBe(parameter);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('gradients that do not match the parameters are rejected', () => {
    const adam = createAdam({ lr: 0.1 });
    expect(() => adam.step([new Float32Array(3)], [])).toThrow(ConvConfigError);
    expect(() => adam.step([new Float32Array(3)], [new Float32Array(2)])).toThrow(
      /grads\[0\] must have the length of params\[0\] \(3\), got 2/,
    );
    adam.step([new Float32Array(3)], [new Float32Array(3)]);
    expect(() => adam.step([new Float32Array(4)], [new Float32Array(4)])).toThrow(/same list on every step/);
  });
});

describe('one training step', () => {
  it('reports the loss and accuracy before the update, and applies the update', () => {
    const params = initParams(TINY, 2);
    const x = randomBatch([4, 1, 6, 6], 3);
    const labels = [0, 1, 2, 1];
    const expected = lossAndGradients(params, x, labels, TINY);
    const predicted = predict(params, x, TINY);
    const before = snapshot(params);
    const sgd = createSgd({ lr: 0.1 });
    const result = trainStep(params, x, labels, TINY, sgd);
    expect(result.loss).toBe(expected.loss);
    expect(result.accuracy).toBe(labels.filter((l, n) => predicted[n] === l).length / 4);
    expect(result).toMatchObject({ finite: true, applied: true });
    // plain SGD: p_after = p_before − 0.1·grad, entry by entry
    params.forEach((p, k) => {
      const want = before[k].map((v, i) => v - 0.1 * expected.grads[k].data[i]);
      expect([...p.tensor.data].map((v, i) => v - want[i]).every((d) => Math.abs(d) < 1e-6)).toBe(true);
    });
    expect(sgd.steps).toBe(1);
  });

  it('a NaN parameter gives a NaN loss flagged as not finite, and nothing is updated', () => {
    const params = initParams(TINY, 2);
    params[0].tensor.data[0] = Number.NaN;
    const before = snapshot(params);
    const adam = createAdam({ lr: 0.1 });
    const result = trainStep(params, randomBatch([2, 1, 6, 6], 1), [0, 1], TINY, adam);
    expect(Number.isNaN(result.loss)).toBe(true);
    expect(result).toMatchObject({ finite: false, applied: false });
    expect(adam.steps).toBe(0);
    params.forEach((p, k) => expect(Object.is(p.tensor.data[1], before[k][1])).toBe(true));
  });

  it('an infinite logit gives an infinite loss flagged as not finite, and nothing is updated', () => {
    const params = initParams(TINY, 2);
    params[3].tensor.data[0] = Number.POSITIVE_INFINITY; // dense bias of class 0
    const before = snapshot(params);
    const sgd = createSgd({ lr: 0.1 });
    const result = trainStep(params, randomBatch([2, 1, 6, 6], 1), [1, 2], TINY, sgd);
    expect(result.loss).toBe(Number.POSITIVE_INFINITY);
    expect(result).toMatchObject({ finite: false, applied: false });
    params.forEach((p, k) => expect(p.tensor.data.slice(1)).toEqual(before[k].slice(1)));
  });

  it('the same seed twice gives identical losses and parameters', () => {
    const run = () => {
      const params = initParams(TINY, 9);
      const adam = createAdam({ lr: 0.01 });
      const losses: number[] = [];
      for (let s = 0; s < 8; s++) losses.push(trainStep(params, randomBatch([4, 1, 6, 6], s), [s % 3, 0, 1, 2], TINY, adam).loss);
      return { losses, params };
    };
    const a = run();
    const b = run();
    expect(b.losses).toEqual(a.losses);
    a.params.forEach((p, k) => expect(b.params[k].tensor.data).toEqual(p.tensor.data));
  });
});

const mnistDir = findMnistDigits();

describe.skipIf(!mnistDir)(`training the seed CNN on real MNIST${mnistDir ? '' : ` (skipped: ${MNIST_MISSING})`}`, () => {
  it('512 images, batch 32, Adam lr 1e-3: the loss falls clearly, and a second run with the same seed repeats it exactly', async () => {
    const dir = mnistDir as string;
    const ds = await loadMnistSplit(
      readMnistFile(dir, 't10k-images-idx3-ubyte.gz'),
      readMnistFile(dir, 't10k-labels-idx1-ubyte.gz'),
      'test',
    );
    const pool = 512;
    const batch = 32;
    const train = (steps: number) => {
      const params = initParams(SEED_CNN, 2024);
      const adam = createAdam({ lr: 1e-3 });
      const rng = createRng(77);
      const order = Array.from({ length: pool }, (_, k) => k);
      const losses: number[] = [];
      for (let s = 0; s < steps; s++) {
        const start = (s * batch) % pool;
        if (start === 0) {
          for (let k = pool - 1; k > 0; k--) {
            const j = Math.floor(rng() * (k + 1));
            [order[k], order[j]] = [order[j], order[k]];
          }
        }
        const { x, y } = imageBatch(ds, order.slice(start, start + batch));
        const result = trainStep(params, { shape: [batch, 1, 28, 28], data: x }, y, SEED_CNN, adam);
        expect(result.finite).toBe(true);
        losses.push(result.loss);
      }
      return losses;
    };
    const losses = train(30);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const first = mean(losses.slice(0, 5));
    const last = mean(losses.slice(-5));
    expect(first).toBeGreaterThan(1.5); // about ln 10 ≈ 2.3 for an untrained 10-class model
    expect(last).toBeLessThan(0.6 * first);
    expect(train(3)).toEqual(losses.slice(0, 3));
  });
});
