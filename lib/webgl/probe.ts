/** What probeWebGL found: a usable device, or the reason there is none. */
export type WebGLProbe =
  { readonly ok: true; readonly deviceName: string; readonly maxTextureSize: number } | { readonly ok: false; readonly reason: string };

/** The canvases a context can live on: a page canvas, or an OffscreenCanvas in a Worker. */
export type AnyCanvas = HTMLCanvasElement | OffscreenCanvas;

/** Context attributes for compute: no depth, stencil, antialiasing or alpha blending of the canvas. */
export const CONTEXT_ATTRIBUTES: WebGLContextAttributes = {
  alpha: false,
  antialias: false,
  depth: false,
  stencil: false,
  premultipliedAlpha: false,
  preserveDrawingBuffer: false,
  powerPreference: 'high-performance',
};

/** A WebGL2 context ready for float32 compute, with what the backend needs to know about it. */
export interface ComputeContext {
  readonly gl: WebGL2RenderingContext;
  readonly deviceName: string;
  readonly maxTextureSize: number;
  /** Render targets one draw can write: min(MAX_DRAW_BUFFERS, MAX_COLOR_ATTACHMENTS), at least 4. */
  readonly maxDrawBuffers: number;
}

/** The renderer's name: WEBGL_debug_renderer_info's unmasked renderer when offered, else RENDERER. */
export function rendererName(gl: WebGL2RenderingContext): string {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : null;
  return String(name || gl.getParameter(gl.RENDERER) || 'unknown WebGL2 device');
}

/**
 * True when the renderer string names a software rasterizer (SwiftShader, llvmpipe, softpipe,
 * Microsoft Basic Render Driver or anything saying "Software"), where one step's draws queue for
 * a second or more and hold back the page's frames.
 */
export function isSoftwareRenderer(deviceName: string): boolean {
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(deviceName);
}

/** Render targets one draw can write on `gl`: min(MAX_DRAW_BUFFERS, MAX_COLOR_ATTACHMENTS). */
export function drawBufferLimit(gl: WebGL2RenderingContext): number {
  return Math.min(gl.getParameter(gl.MAX_DRAW_BUFFERS) as number, gl.getParameter(gl.MAX_COLOR_ATTACHMENTS) as number);
}

/**
 * Rows of C per GEMM fragment on this device (MatrixLayout layers of GEMM outputs): 8 on a
 * software renderer with 8 render targets, where a texel fetch costs several times the
 * multiply-adds it feeds and 8×4 blocks fetch a quarter less per multiply-add (about 20 % off
 * the seed CNN's step on SwiftShader); 4 on hardware GPUs and wherever fewer targets exist.
 */
export function preferredGemmRows(deviceName: string, maxDrawBuffers: number): 4 | 8 {
  return isSoftwareRenderer(deviceName) && maxDrawBuffers >= 8 ? 8 : 4;
}

/** Checks that an RGBA32F texture can be rendered to (FRAMEBUFFER_COMPLETE); cleans up after itself. */
function floatTargetComplete(gl: WebGL2RenderingContext): boolean {
  const texture = gl.createTexture();
  const framebuffer = gl.createFramebuffer();
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texStorage2D(gl.TEXTURE_2D, 1, gl.RGBA32F, 4, 4);
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  const status = gl.checkFramebufferStatus(gl.FRAMEBUFFER);
  gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  gl.bindTexture(gl.TEXTURE_2D, null);
  gl.deleteFramebuffer(framebuffer);
  gl.deleteTexture(texture);
  return status === gl.FRAMEBUFFER_COMPLETE;
}

/**
 * Opens (or reuses) the WebGL2 context of `canvas` and checks it for float32 compute: WebGL2,
 * EXT_color_buffer_float, and a complete RGBA32F framebuffer. Returns the context or the reason
 * it cannot be used. Touches nothing of the DOM but the canvas, so it runs in a Worker.
 */
export function openComputeContext(canvas: AnyCanvas): ComputeContext | { reason: string } {
  let gl: WebGL2RenderingContext | null;
  try {
    gl = canvas.getContext('webgl2', CONTEXT_ATTRIBUTES) as WebGL2RenderingContext | null;
  } catch (error) {
    return { reason: `WebGL2 could not be created: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!gl) return { reason: 'WebGL2 is not available in this browser (or it is disabled)' };
  if (gl.isContextLost()) return { reason: 'the WebGL2 context is lost' };
  if (!gl.getExtension('EXT_color_buffer_float')) {
    return { reason: 'WebGL2 lacks EXT_color_buffer_float: float32 textures cannot be rendered to' };
  }
  if (!floatTargetComplete(gl)) {
    return { reason: 'an RGBA32F framebuffer is not complete on this device' };
  }
  return {
    gl,
    deviceName: rendererName(gl),
    maxTextureSize: gl.getParameter(gl.MAX_TEXTURE_SIZE) as number,
    maxDrawBuffers: drawBufferLimit(gl),
  };
}

/** A fresh canvas for a probe: an OffscreenCanvas where the platform has one (Workers do). */
function scratchCanvas(): AnyCanvas | null {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(1, 1);
  if (typeof document !== 'undefined') return document.createElement('canvas');
  return null;
}

/**
 * Can this platform train on WebGL2? Checks WebGL2, EXT_color_buffer_float and a complete RGBA32F
 * framebuffer on `canvas` (or on a scratch canvas, whose context is released afterwards). Returns
 * `{ ok: true, deviceName, maxTextureSize }` (deviceName from WEBGL_debug_renderer_info when
 * available, else RENDERER) or `{ ok: false, reason }`. Never throws.
 */
export function probeWebGL(canvas?: AnyCanvas): WebGLProbe {
  const target = canvas ?? scratchCanvas();
  if (!target) return { ok: false, reason: 'no canvas is available to create a WebGL2 context on' };
  const opened = openComputeContext(target);
  if ('reason' in opened) return { ok: false, reason: opened.reason };
  if (!canvas) opened.gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { ok: true, deviceName: opened.deviceName, maxTextureSize: opened.maxTextureSize };
}
