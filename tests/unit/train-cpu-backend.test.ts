import { describe, it, expect } from 'vitest';
import { ConvConfigError } from '../../lib/errors.ts';
import { createRng } from '../../lib/random.ts';
import type { ModelPreset, Param } from '../../lib/train/model.ts';
import { OVERLAP_CNN, convRelu, denseLayer, forward } from '../../lib/train/model.ts';
import { initParams } from '../../lib/train/init.ts';
import { createAdam, createSgd } from '../../lib/train/optimizer.ts';
import { trainStep } from '../../lib/train/train-step.ts';
import { createCpuBackend, CPU_DEVICE_NAME, cpuDeviceName } from '../../lib/train/cpu-backend.ts';
import { gemmKernel } from '../../lib/gemm.ts';
import type { OptimizerSettings } from '../../lib/train/backend.ts';

/** A 28×28 model small enough to step many times in a test. */
const SMALL: ModelPreset = {
  name: 'small',
  input: [1, 28, 28],
  layers: [convRelu(1, 4, 4, 4, 0), { kind: 'flatten' }, denseLayer(4 * 7 * 7, 10, false)],
  classes: 10,
};

function batch(n: number, seed: number): { x: Float32Array; y: Uint8Array } {
  const rng = createRng(seed);
  const x = new Float32Array(n * 784);
  for (let k = 0; k < x.length; k++) x[k] = rng();
  const y = new Uint8Array(n);
  for (let k = 0; k < n; k++) y[k] = Math.floor(rng() * 10);
  return { x, y };
}

const copy = (params: Param[]): Param[] =>
  params.map((p) => ({ name: p.name, tensor: { shape: [...p.tensor.shape], data: Float32Array.from(p.tensor.data) } }));
const ADAM: OptimizerSettings = { kind: 'adam', learningRate: 0.01, momentum: 0.9 };
const SGD: OptimizerSettings = { kind: 'sgd', learningRate: 0.05, momentum: 0.9 };

describe('optimizer learning-rate changes', () => {
  it('SGD keeps its velocity: v = μ·v + g, then p −= lr₂·v', () => {
    const p = new Float32Array([1]);
    const sgd = createSgd({ lr: 0.1, momentum: 0.5 });
    sgd.step([p], [new Float32Array([2])]); // v = 2, p = 1 − 0.2
    sgd.setLearningRate(0.01);
    expect(sgd.learningRate).toBe(0.01);
    sgd.step([p], [new Float32Array([2])]); // v = 0.5·2 + 2 = 3, p = 0.8 − 0.03
    expect(p[0]).toBeCloseTo(0.77, 6);
  });

  it('Adam keeps its moments and step count (the bias correction goes on from step 2)', () => {
    const p = new Float32Array([0]);
    const adam = createAdam({ lr: 0.1 });
    adam.step([p], [new Float32Array([1])]);
    adam.setLearningRate(0.5);
    adam.step([p], [new Float32Array([-1])]);
    // by hand: m = 0.9·0.1 − 0.1 = −0.01, v = 0.999·0.001 + 0.001 = 0.001999;
    // m̂ = −0.01 / 0.19, v̂ = 0.001999 / 0.001999 = 1 → p = −0.1 + 0.5·(0.01/0.19)/(1 + 1e-8)
    expect(p[0]).toBeCloseTo(-0.1 + (0.5 * 0.01) / 0.19, 6);
    expect(adam.steps).toBe(2);
  });

  it('refuses a learning rate that is not positive', () => {
    expect(() => createAdam({ lr: 0.1 }).setLearningRate(0)).toThrow(/lr must be a positive finite number, got 0/);
    expect(() => createSgd({ lr: 0.1 }).setLearningRate(Number.NaN)).toThrow(ConvConfigError);
  });
});

describe('the CPU training backend', () => {
  it('reports its kind, device and batch size', () => {
    const b = createCpuBackend({ preset: SMALL, batchSize: 8, optimizer: ADAM, params: initParams(SMALL, 1) });
    expect([b.kind, b.deviceName, b.batchSize]).toEqual(['cpu', cpuDeviceName(), 8]);
    // It names the GEMM kernel it trains on (this project's run sets it by UNROLLED_GEMM).
    expect(b.deviceName).toBe(`${CPU_DEVICE_NAME}, ${gemmKernel() === 'wasm' ? 'WebAssembly SIMD' : 'JavaScript'} GEMM`);
    expect(b.onContextChange).toBeUndefined();
  });

  for (const optimizer of [ADAM, SGD]) {
    it(`steps exactly like trainStep with ${optimizer.kind}, including a learning-rate change`, async () => {
      const start = initParams(SMALL, 4);
      const b = createCpuBackend({ preset: SMALL, batchSize: 16, optimizer, params: start });
      const ref = copy(start);
      const opt =
        optimizer.kind === 'adam'
          ? createAdam({ lr: optimizer.learningRate })
          : createSgd({ lr: optimizer.learningRate, momentum: optimizer.momentum });
      for (let s = 0; s < 4; s++) {
        if (s === 2) {
          b.setLearningRate(0.002);
          opt.setLearningRate(0.002);
        }
        const { x, y } = batch(16, 100 + s);
        const expected = trainStep(ref, { shape: [16, 1, 28, 28], data: x }, y, SMALL, opt);
        const got = await b.trainStep(x, y);
        expect(got).toEqual({ loss: expected.loss, correct: Math.round(expected.accuracy * 16), count: 16, finite: true });
      }
      const params = await b.getParams();
      params.forEach((p, k) => expect(p.tensor.data).toEqual(ref[k].tensor.data));
    });
  }

  it('copies the starting parameters and returns copies', async () => {
    const start = initParams(SMALL, 2);
    const before = Float32Array.from(start[0].tensor.data);
    const b = createCpuBackend({ preset: SMALL, batchSize: 4, optimizer: SGD, params: start });
    await b.trainStep(batch(4, 1).x, batch(4, 1).y);
    expect(start[0].tensor.data).toEqual(before);
    const got = await b.getParams();
    got[0].tensor.data.fill(0);
    expect((await b.getParams())[0].tensor.data).not.toEqual(got[0].tensor.data);
  });

  it('logits match the forward pass for a partial batch', async () => {
    const params = initParams(OVERLAP_CNN, 5);
    const b = createCpuBackend({ preset: OVERLAP_CNN, batchSize: 8, optimizer: ADAM, params });
    const { x } = batch(3, 9);
    const logits = await b.logits(x, 3);
    expect(logits).toEqual(forward(params, { shape: [3, 1, 28, 28], data: x }, OVERLAP_CNN).logits.data);
  });

  it('setParams replaces the weights and clears the optimizer state', async () => {
    const start = initParams(SMALL, 6);
    const b = createCpuBackend({ preset: SMALL, batchSize: 8, optimizer: SGD, params: start });
    const { x, y } = batch(8, 3);
    await b.trainStep(x, y);
    await b.trainStep(x, y);
    await b.setParams(start);
    const fresh = createCpuBackend({ preset: SMALL, batchSize: 8, optimizer: SGD, params: start });
    expect(await b.trainStep(x, y)).toEqual(await fresh.trainStep(x, y));
    expect((await b.getParams())[0].tensor.data).toEqual((await fresh.getParams())[0].tensor.data);
  });

  it('reports a non-finite loss and does not apply the step', async () => {
    const start = initParams(SMALL, 7);
    const b = createCpuBackend({ preset: SMALL, batchSize: 4, optimizer: ADAM, params: start });
    const { x, y } = batch(4, 2);
    x[5] = Number.NaN;
    const m = await b.trainStep(x, y);
    expect(m.finite).toBe(false);
    expect(Number.isNaN(m.loss)).toBe(true);
    expect((await b.getParams())[0].tensor.data).toEqual(start[0].tensor.data);
  });

  it('throws ConvConfigError for a bad batch size', () => {
    for (const batchSize of [0, -4, 2.5, 1025, Number.NaN]) {
      expect(() => createCpuBackend({ preset: SMALL, batchSize, optimizer: ADAM, params: initParams(SMALL, 1) })).toThrow(
        /batchSize must be an integer in \[1, 1024\]/,
      );
    }
  });

  it('rejects inputs of the wrong size and use after dispose', async () => {
    const b = createCpuBackend({ preset: SMALL, batchSize: 4, optimizer: ADAM, params: initParams(SMALL, 1) });
    await expect(b.trainStep(new Float32Array(3 * 784), new Uint8Array(4))).rejects.toThrow(
      /x must be a Float32Array of 4·784 = 3136 floats, got 2352/,
    );
    await expect(b.trainStep(new Float32Array(4 * 784), new Uint8Array(3))).rejects.toThrow(/labels must hold 4 labels/);
    await expect(b.logits(new Float32Array(5 * 784), 5)).rejects.toThrow(/n must be an integer in \[1, 4\]/);
    expect(() => b.setLearningRate(-1)).toThrow(ConvConfigError);
    b.dispose();
    await expect(b.getParams()).rejects.toThrow(/disposed/);
  });
});
