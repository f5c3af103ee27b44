import { describe, it, expect } from 'vitest';
import { dilatedCost } from '../../lib/ops/dilated.ts';
import { convGeometry } from '../../lib/geometry.ts';
import { conv2dBackward } from '../../lib/ops/conv2d-backward.ts';
import { randomUniform, createRng } from '../../lib/random.ts';

describe('dilatedCost', () => {
  it('AlexNet conv1 (227×227, 11×11, stride 4): the full convolution covers 227² positions against 55² → 17.03× col2im, a 2.39 GB matrix', () => {
    const g = convGeometry([1, 3, 227, 227], [11, 11], { stride: 4 });
    const cost = dilatedCost(g, 96);
    expect(cost.col2imMacs).toBe(363 * 3025 * 96);
    expect(cost.dilatedMacs).toBe(3 * 227 * 227 * 96 * 121);
    expect(cost.ratio).toBeCloseTo(51529 / 3025, 12);
    expect(cost.colsBytes).toBe(4 * 96 * 121 * 51529); // 2,394,243,456 bytes
    expect(cost.colsBytes / 1e9).toBeCloseTo(2.39, 2);
  });

  it('stride 1 without padding: the padded grid is the input, (OH + K − 1)² / OH² times the work', () => {
    const cost = dilatedCost(convGeometry([2, 1, 5, 5], [3, 3]), 4);
    expect(cost.ratio).toBe(25 / 9);
  });

  it('is what the engine refuses: over its 1.07 GB buffer limit (2^28 floats), the dilated backward throws by name', () => {
    const rng = createRng(1);
    const x = randomUniform([1, 3, 227, 227], rng);
    const w = randomUniform([96, 3, 11, 11], rng);
    const dy = randomUniform([1, 96, 55, 55], rng);
    expect(dilatedCost(convGeometry(x.shape, [11, 11], { stride: 4 }), 96).colsBytes).toBeGreaterThan(4 * 2 ** 28);
    expect(() => conv2dBackward(dy, x, w, { stride: 4 }, { method: 'dilated' })).toThrow(
      /would need 2\.39 GB, more than the engine's limit of 1\.07 GB per buffer/,
    );
  });
});
