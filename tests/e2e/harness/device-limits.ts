import { openComputeContext } from '../../../lib/webgl/probe.ts';

/** What the page's WebGL2 device offers, as the backend sees it (the specs skip cases it cannot run). */
export interface DeviceLimits {
  readonly deviceName: string;
  /** Render targets one draw can write: the most layers a matrix can have (8-row GEMM needs 8). */
  readonly maxDrawBuffers: number;
  readonly maxTextureSize: number;
}

/** Opens a compute context on a scratch canvas and reports its limits; throws when there is none. */
export function deviceLimits(): DeviceLimits {
  const opened = openComputeContext(new OffscreenCanvas(1, 1));
  if ('reason' in opened) throw new Error(opened.reason);
  const limits = { deviceName: opened.deviceName, maxDrawBuffers: opened.maxDrawBuffers, maxTextureSize: opened.maxTextureSize };
  opened.gl.getExtension('WEBGL_lose_context')?.loseContext();
  return limits;
}
