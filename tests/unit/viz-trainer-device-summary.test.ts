import { describe, it, expect } from 'vitest';
import { describeDevice } from '../../lib/viz/trainer/device.ts';
import { modelSummary } from '../../lib/viz/trainer/model-summary.ts';
import { SEED_CNN } from '../../lib/train/model.ts';

describe('the device line', () => {
  it('names a software renderer as a software GPU and says the CPU is about as fast', () => {
    const swiftshader = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
    expect(describeDevice(swiftshader)).toEqual({ software: true, text: 'Software GPU (SwiftShader) — the CPU is about as fast here' });
    expect(describeDevice('llvmpipe (LLVM 15.0.6, 256 bits)').text).toBe('Software GPU (llvmpipe) — the CPU is about as fast here');
    expect(describeDevice('ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)').software).toBe(true);
  });

  it('shortens a hardware ANGLE renderer string to the GPU name', () => {
    expect(describeDevice('ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 (0x00002206) Direct3D11 vs_5_0 ps_5_0, D3D11)')).toEqual({ software: false, text: 'NVIDIA GeForce RTX 3080' });
    expect(describeDevice('ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)').text).toBe('Apple M2');
    expect(describeDevice('Mali-G78').text).toBe('Mali-G78');
    expect(describeDevice('').text).toBe('unknown GPU');
  });
});

describe('the model summary', () => {
  it('gives the seed CNN per layer: output per image, parameters, im2col size for a batch of 64', () => {
    const s = modelSummary(SEED_CNN, 64);
    // 28 → 14 (k2 s2) → (14 + 2 − 2)/2 + 1 = 8 (p1) → 4; flatten 128·4·4 = 2048.
    expect(s.rows.map((r) => r.output)).toEqual(['32 × 14 × 14', '64 × 8 × 8', '128 × 4 × 4', '2,048', '250', '10']);
    expect(s.rows.map((r) => r.params)).toEqual([32 * 4 + 32, 64 * 32 * 4 + 64, 128 * 64 * 4 + 128, 0, 2048 * 250 + 250, 250 * 10 + 10]);
    expect(s.rows.map((r) => r.im2col)).toEqual([`4 × ${(64 * 196).toLocaleString('en-US')}`, "128 × 4,096", "256 × 1,024", null, null, null]);
    expect(s.totalParams).toBe(160 + 8256 + 32896 + 512250 + 2510);
  });
});
