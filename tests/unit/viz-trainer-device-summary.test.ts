import { describe, it, expect } from 'vitest';
import { describeDevice } from '../../lib/viz/trainer/device.ts';

describe('the device line', () => {
  it('names a software renderer as a software GPU and says the CPU is about as fast', () => {
    const swiftshader = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
    expect(describeDevice(swiftshader)).toEqual({ software: true, text: 'Software GPU (SwiftShader) — the CPU is about as fast here' });
    expect(describeDevice('llvmpipe (LLVM 15.0.6, 256 bits)').text).toBe('Software GPU (llvmpipe) — the CPU is about as fast here');
    expect(describeDevice('ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0, D3D11)').software).toBe(true);
  });

  it('shortens a hardware ANGLE renderer string to the GPU name', () => {
    expect(describeDevice('ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 (0x00002206) Direct3D11 vs_5_0 ps_5_0, D3D11)')).toEqual({
      software: false,
      text: 'NVIDIA GeForce RTX 3080',
    });
    expect(describeDevice('ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)').text).toBe('Apple M2');
    expect(describeDevice('Mali-G78').text).toBe('Mali-G78');
    expect(describeDevice('').text).toBe('unknown GPU');
  });
});
