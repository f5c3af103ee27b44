import { ConvConfigError, describeValue } from './errors.ts';

/**
 * The most float32 values (2²⁸, 1 GiB) the engine puts in one buffer. Well inside what a browser
 * tab can hold; above it an op refuses the call by name instead of a RangeError from the runtime
 * or a tab that runs out of memory.
 */
export const MAX_BUFFER_FLOATS = 2 ** 28;

/** Bytes as a reader reads them: binary units (KiB = 2¹⁰ bytes, MiB, GiB, TiB), 3 significant digits. */
export function formatBinaryBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (!Number.isFinite(value)) return 'more than any memory';
  if (value >= 1024) return `${value.toExponential(2)} ${units[unit]}`;
  return unit === 0 ? `${value} bytes` : `${value.toPrecision(3)} ${units[unit]}`;
}

/**
 * Checks, before anything is allocated, that each buffer an op will make fits MAX_BUFFER_FLOATS.
 * `buffers` maps a description ("the im2col matrix") to its shape. Throws ConvConfigError
 * (parameter "size") naming the op, the buffer, its shape and its bytes.
 */
export function checkBufferSizes(op: string, buffers: Readonly<Record<string, readonly number[]>>): void {
  for (const [what, shape] of Object.entries(buffers)) {
    let floats = 1;
    for (const d of shape) floats *= d;
    if (floats > MAX_BUFFER_FLOATS) {
      throw new ConvConfigError(
        'size',
        `${op}: ${what} ${describeValue(shape)} would need ${formatBinaryBytes(floats * 4)}, more than the engine's limit of ${formatBinaryBytes(MAX_BUFFER_FLOATS * 4)} per buffer (2^28 floats); use smaller sizes`,
      );
    }
  }
}
