import { describe, it, expect } from 'vitest';
import { isSoftwareRenderer, preferredGemmRows, probeWebGL } from '../../lib/webgl/probe.ts';
import { WebGLUnavailableError, createWebGLBackend } from '../../lib/webgl/index.ts';
import { SEED_CNN } from '../../lib/train/model.ts';
import { initParams } from '../../lib/train/init.ts';

/** A canvas whose getContext('webgl2') returns `gl` (a stand-in with only what the probe touches). */
function canvasWith(gl: unknown): OffscreenCanvas {
  return { getContext: () => gl, addEventListener: () => undefined, removeEventListener: () => undefined } as unknown as OffscreenCanvas;
}

/** A fake WebGL2 context: extensions by name, and the framebuffer status the device reports. */
function fakeGl(extensions: string[], framebufferStatus: number): unknown {
  const FRAMEBUFFER_COMPLETE = 0x8cd5;
  return {
    FRAMEBUFFER_COMPLETE,
    RENDERER: 0x1f01,
    MAX_TEXTURE_SIZE: 0x0d33,
    isContextLost: () => false,
    getExtension: (name: string) => (extensions.includes(name) ? {} : null),
    getParameter: (p: number) => (p === 0x0d33 ? 4096 : 'Fake Renderer'),
    createTexture: () => ({}),
    createFramebuffer: () => ({}),
    bindTexture: () => undefined,
    texStorage2D: () => undefined,
    bindFramebuffer: () => undefined,
    framebufferTexture2D: () => undefined,
    checkFramebufferStatus: () => framebufferStatus,
    deleteFramebuffer: () => undefined,
    deleteTexture: () => undefined,
  };
}

describe('probeWebGL', () => {
  it('says why when there is no canvas to try (Node has neither OffscreenCanvas nor document)', () => {
    expect(probeWebGL()).toEqual({ ok: false, reason: 'no canvas is available to create a WebGL2 context on' });
  });

  it('reports a browser without WebGL2', () => {
    expect(probeWebGL(canvasWith(null))).toEqual({ ok: false, reason: 'WebGL2 is not available in this browser (or it is disabled)' });
  });

  it('reports a missing EXT_color_buffer_float', () => {
    const probe = probeWebGL(canvasWith(fakeGl([], 0x8cd5)));
    expect(probe).toEqual({ ok: false, reason: 'WebGL2 lacks EXT_color_buffer_float: float32 textures cannot be rendered to' });
  });

  it('reports an RGBA32F framebuffer that is not complete', () => {
    const probe = probeWebGL(canvasWith(fakeGl(['EXT_color_buffer_float'], 0x8cdd)));
    expect(probe).toEqual({ ok: false, reason: 'an RGBA32F framebuffer is not complete on this device' });
  });

  it('names the device and its texture limit when everything is there (RENDERER without debug info)', () => {
    expect(probeWebGL(canvasWith(fakeGl(['EXT_color_buffer_float'], 0x8cd5)))).toEqual({
      ok: true,
      deviceName: 'Fake Renderer',
      maxTextureSize: 4096,
    });
  });
});

describe('createWebGLBackend without WebGL2', () => {
  it('throws WebGLUnavailableError with the reason, for the caller to fall back to the CPU', () => {
    const options = {
      preset: SEED_CNN,
      batchSize: 16,
      optimizer: { kind: 'sgd' as const, learningRate: 0.01, momentum: 0.9 },
      params: initParams(SEED_CNN, 1),
      canvas: canvasWith(null),
    };
    expect(() => createWebGLBackend(options)).toThrow(WebGLUnavailableError);
    try {
      createWebGLBackend(options);
    } catch (error) {
      expect((error as WebGLUnavailableError).name).toBe('WebGLUnavailableError');
      expect((error as WebGLUnavailableError).reason).toBe('WebGL2 is not available in this browser (or it is disabled)');
    }
  });

  it('checks its options before touching the canvas (ConvConfigError naming the field)', () => {
    const base = {
      preset: SEED_CNN,
      batchSize: 16,
      optimizer: { kind: 'sgd' as const, learningRate: 0.01, momentum: 0.9 },
      params: initParams(SEED_CNN, 1),
      canvas: canvasWith(null),
    };
    expect(() => createWebGLBackend({ ...base, batchSize: 0 })).toThrow('batchSize must be a positive integer, got 0');
    expect(() => createWebGLBackend({ ...base, optimizer: { kind: 'sgd', learningRate: -1, momentum: 0 } })).toThrow(
      'learningRate must be a positive finite number, got -1',
    );
    expect(() => createWebGLBackend({ ...base, params: base.params.slice(1) })).toThrow('params must list 10 parameters');
    expect(() => createWebGLBackend({ ...base, pacing: 'fast' as never })).toThrow("pacing must be 'auto', 'draw' or 'none', got \"fast\"");
    expect(() => createWebGLBackend({ ...base, gemmRows: 6 as never })).toThrow("gemmRows must be 'auto', 4 or 8, got 6");
  });
});

/** Renderer strings of software rasterizers, as WebGL reports them. */
const SOFTWARE_RENDERERS = [
  'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)',
  'llvmpipe (LLVM 15.0.6, 256 bits)',
  'Mesa softpipe',
  'ANGLE (Microsoft, Microsoft Basic Render Driver Direct3D11 vs_5_0 ps_5_0)',
  'Google SwiftShader',
];

/** Renderer strings of hardware GPUs (and of a device that names nothing). */
const HARDWARE_RENDERERS = [
  'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 (0x00002503) Direct3D11 vs_5_0 ps_5_0, D3D11)',
  'ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)',
  'Mesa Intel(R) UHD Graphics 620 (KBL GT2)',
  'unknown WebGL2 device',
];

describe('isSoftwareRenderer', () => {
  it('recognises the software rasterizers whose queued draws hold back the page (pacing "auto")', () => {
    for (const name of SOFTWARE_RENDERERS) expect(isSoftwareRenderer(name), name).toBe(true);
  });

  it('leaves hardware GPUs unpaced', () => {
    for (const name of HARDWARE_RENDERERS) expect(isSoftwareRenderer(name), name).toBe(false);
  });
});

describe('preferredGemmRows', () => {
  it('takes 8-row GEMM blocks on a software renderer with 8 render targets', () => {
    for (const name of SOFTWARE_RENDERERS) expect(preferredGemmRows(name, 8), name).toBe(8);
  });
  it('keeps 4-row blocks with fewer targets, and on hardware GPUs', () => {
    expect(preferredGemmRows(SOFTWARE_RENDERERS[0], 4)).toBe(4);
    for (const name of HARDWARE_RENDERERS) expect(preferredGemmRows(name, 8), name).toBe(4);
  });
});
