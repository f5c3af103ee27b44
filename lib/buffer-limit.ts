import { ConvConfigError, describeValue } from './errors.ts';
import { formatBytes } from './format-bytes.ts';

/**
 * The most float32 values (2²⁸, 1.07 GB) the engine puts in one buffer. Well inside what a browser
 * tab can hold; above it an op refuses the call by name instead of a RangeError from the runtime
 * or a tab that runs out of memory.
 */
export const MAX_BUFFER_FLOATS = 2 ** 28;

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
        `${op}: ${what} ${describeValue(shape)} would need ${formatBytes(floats * 4)}, more than the engine's limit of ${formatBytes(MAX_BUFFER_FLOATS * 4)} per buffer (2^28 floats); use smaller sizes`,
      );
    }
  }
}
