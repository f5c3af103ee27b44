/**
 * The GPU a WebGL2 backend runs on, in words: a software renderer (SwiftShader, llvmpipe, …) is
 * named as such, with the note that the CPU trains about as fast there; a hardware GPU gets its
 * short name out of the renderer string (`ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 Direct3D11 vs_5_0
 * ps_5_0, D3D11)` → `NVIDIA GeForce RTX 3080`).
 */

/** What the backend line says about a GPU. */
export interface DeviceDescription {
  readonly software: boolean;
  /** `Software GPU (SwiftShader) — the CPU is about as fast here`, or the short GPU name. */
  readonly text: string;
}

const SOFTWARE = [
  { re: /swiftshader/i, name: 'SwiftShader' },
  { re: /llvmpipe/i, name: 'llvmpipe' },
  { re: /lavapipe/i, name: 'lavapipe' },
  { re: /softpipe/i, name: 'softpipe' },
  { re: /microsoft basic render|\bwarp\b/i, name: 'WARP' },
  { re: /software/i, name: 'software renderer' },
] as const;

/** Describes a WebGL renderer string (see the module comment). */
export function describeDevice(renderer: string): DeviceDescription {
  const raw = String(renderer ?? '').trim();
  const soft = SOFTWARE.find((s) => s.re.test(raw));
  if (soft) return { software: true, text: `Software GPU (${soft.name}) — the CPU is about as fast here` };
  // ANGLE (vendor, device …, api): keep the device part.
  const angle = /^ANGLE \((.*)\)$/.exec(raw);
  let name = angle ? (angle[1].split(', ')[1] ?? angle[1]) : raw;
  name = name
    .replace(/\s*\(0x[0-9a-f]+\)/gi, '')
    .replace(/^ANGLE Metal Renderer:\s*/i, '')
    .replace(/\s+(Direct3D\d*|vs_\d_\d|ps_\d_\d|OpenGL( ES)? \d.*|Vulkan \d.*)(\s.*)?$/i, '')
    .trim();
  return { software: false, text: name || raw || 'unknown GPU' };
}
