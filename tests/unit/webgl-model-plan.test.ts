import { describe, it, expect } from 'vitest';
import { planModel, planShapes, textureLimitProblem } from '../../lib/webgl/model-plan.ts';
import { OVERLAP_CNN, SEED_CNN, paramSpecs } from '../../lib/train/model.ts';
import { ConvConfigError } from '../../lib/errors.ts';

describe('planModel', () => {
  it('gives the seed CNN at batch 64 its GEMM shapes: W_row [F, C·k·k] × cols [C·k·k, N·OH·OW]', () => {
    const plan = planModel(SEED_CNN, 64);
    const convs = plan.stages.filter((s) => s.kind === 'conv');
    expect(convs.map((s) => [s.outC, s.geometry.C * s.geometry.KH * s.geometry.KW, 64 * s.geometry.OH * s.geometry.OW])).toEqual([
      [32, 4, 64 * 14 * 14],
      [64, 128, 64 * 8 * 8],
      [128, 256, 64 * 4 * 4],
    ]);
    expect(plan.stages[3]).toEqual({ kind: 'flatten', C: 128, HW: 16 });
    expect(plan.stages.slice(4)).toEqual([
      { kind: 'dense', in: 2048, out: 250, relu: true, param: 6 },
      { kind: 'dense', in: 250, out: 10, relu: false, param: 8 },
    ]);
  });

  it('stores each parameter as a matrix of the same number of entries, in paramSpecs order', () => {
    for (const preset of [SEED_CNN, OVERLAP_CNN]) {
      const plan = planModel(preset, 8);
      const specs = paramSpecs(preset);
      expect(plan.paramMatrices).toHaveLength(specs.length);
      plan.paramMatrices.forEach(([r, c], k) => {
        expect(r * c).toBe(specs[k].shape.reduce((a, d) => a * d, 1));
        expect(r).toBe(specs[k].kind === 'bias' ? 1 : specs[k].shape[0]);
      });
    }
  });

  it('rejects a batch size that is not a positive integer', () => {
    expect(() => planModel(SEED_CNN, 0)).toThrow(ConvConfigError);
    expect(() => planModel(SEED_CNN, 2.5)).toThrow('batchSize must be a positive integer, got 2.5');
  });
});

describe('textureLimitProblem', () => {
  it('accepts the seed CNN at every offered batch size on an 8192 device, and at batch 128 on 2048 (rows wrap)', () => {
    for (const n of [16, 32, 64, 128]) expect(textureLimitProblem(planModel(SEED_CNN, n), 8192)).toBeNull();
    expect(textureLimitProblem(planModel(SEED_CNN, 128), 2048)).toBeNull();
  });

  it('names the batch size and the limit when a matrix cannot fit', () => {
    // conv1's output [32, 64·14·14] wraps each row over 13 texture rows: 416 > 256.
    const problem = textureLimitProblem(planModel(SEED_CNN, 64), 256);
    expect(problem).toBe(
      "batch size 64 does not fit this device's texture limit of 256 texels: a 32×12544 matrix needs 416 texture rows (13 per matrix row), more than the device's limit of 256",
    );
    // With 1024 every matrix fits (the flattened [2048, 64] folds two rows to a texture row).
    expect(textureLimitProblem(planModel(SEED_CNN, 64), 1024)).toBeNull();
  });

  it('lists every matrix the trainer allocates (input and labels first)', () => {
    const shapes = planShapes(planModel(OVERLAP_CNN, 4));
    expect(shapes[0]).toEqual([1, 4 * 28 * 28]);
    expect(shapes[1]).toEqual([1, 4]);
    expect(shapes).toContainEqual([8 * 9, 4 * 14 * 14]); // conv2's im2col matrix
  });
});
