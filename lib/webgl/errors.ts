/**
 * Thrown by createWebGLBackend when WebGL2 with float32 render targets cannot be used (no WebGL2,
 * no EXT_color_buffer_float, an incomplete RGBA32F framebuffer) or when the batch does not fit the
 * device's texture limits. `reason` is the same sentence as the message, for a fallback notice.
 */
export class WebGLUnavailableError extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'WebGLUnavailableError';
    this.reason = reason;
  }
}

/** Thrown (as a rejection) by every backend method once the WebGL context has been lost. */
export class WebGLContextLostError extends Error {
  constructor(operation: string) {
    super(`${operation}: the WebGL context was lost; build a new backend once it is restored (or train on the CPU)`);
    this.name = 'WebGLContextLostError';
  }
}
