import { ConvConfigError, describeValue } from './errors.ts';
import { checkBufferSizes } from './buffer-limit.ts';

/**
 * A dense float32 tensor, row-major (the last index varies fastest).
 * Images are NCHW `[N, C, H, W]`, kernels `[F, C, KH, KW]`, biases `[F]`, matrices `[rows, cols]`.
 */
export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Number of elements of a shape: the product of its dimensions (1 for a scalar `[]`). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Throws unless every dimension of `shape` is a non-negative integer; `name` labels the message. */
export function assertShape(name: string, shape: readonly number[]): void {
  for (let k = 0; k < shape.length; k++) {
    const d = shape[k];
    if (!Number.isInteger(d) || d < 0) {
      throw new ConvConfigError(
        name,
        `${name} must have non-negative integer dimensions, got ${describeValue(shape)} (dimension ${k} is ${d})`,
      );
    }
  }
}

/**
 * Makes a tensor of `shape`. With `data` (any array-like of numbers) its length must equal the
 * product of the shape; without it the tensor is zero-filled. Float32Array input is used as is.
 */
export function tensor(shape: readonly number[], data?: ArrayLike<number>, name = 'tensor'): Tensor {
  assertShape(name, shape);
  const size = sizeOf(shape);
  if (data === undefined) {
    checkBufferSizes(name, { 'the tensor': shape });
    return { shape: [...shape], data: new Float32Array(size) };
  }
  if (data.length !== size) {
    throw new ConvConfigError(
      name,
      `${name} data length must equal the product of its shape ${describeValue(shape)} = ${size}, got ${data.length}`,
    );
  }
  const buffer = data instanceof Float32Array ? data : Float32Array.from(data);
  return { shape: [...shape], data: buffer };
}

/** A zero-filled tensor of `shape`. */
export function zeros(shape: readonly number[]): Tensor {
  return tensor(shape);
}

/**
 * Checks a tensor handed to an op: its rank, positive dimensions, and that its data length matches
 * its shape. `name` is the parameter's name in the op ("x", "w", "dy"); `layout` describes the
 * expected axes, e.g. "[N, C, H, W]".
 */
export function assertTensor(name: string, t: Tensor, rank: number, layout: string): void {
  if (!t || !Array.isArray(t.shape) || !(t.data instanceof Float32Array)) {
    throw new ConvConfigError(name, `${name} must be a Tensor { shape, data: Float32Array }, got ${describeValue(t)}`);
  }
  if (t.shape.length !== rank) {
    throw new ConvConfigError(
      name,
      `${name} must be a ${rank}-D tensor ${layout}, got shape ${describeValue(t.shape)} (rank ${t.shape.length})`,
    );
  }
  for (let k = 0; k < t.shape.length; k++) {
    const d = t.shape[k];
    if (!Number.isInteger(d) || d < 1) {
      throw new ConvConfigError(name, `${name} ${layout} must have positive integer dimensions, got ${describeValue(t.shape)}`);
    }
  }
  const size = sizeOf(t.shape);
  if (t.data.length !== size) {
    throw new ConvConfigError(
      name,
      `${name} data length must equal the product of its shape ${describeValue(t.shape)} = ${size}, got ${t.data.length}`,
    );
  }
}

/**
 * Reads one element by its multi-index (slow; for tests and view-models, not for hot loops).
 * Throws ConvConfigError when the number of indices is not the rank or an index is out of range.
 */
export function at(t: Tensor, ...index: number[]): number {
  if (index.length !== t.shape.length) {
    throw new ConvConfigError(
      'index',
      `index must have one entry per dimension of shape ${describeValue(t.shape)} (${t.shape.length}), got ${describeValue(index)}`,
    );
  }
  let offset = 0;
  for (let k = 0; k < t.shape.length; k++) {
    const i = index[k];
    if (!Number.isInteger(i) || i < 0 || i >= t.shape[k]) {
      throw new ConvConfigError(
        'index',
        `index ${k} must be an integer in [0, ${t.shape[k] - 1}] for shape ${describeValue(t.shape)}, got ${describeValue(i)}`,
      );
    }
    offset = offset * t.shape[k] + i;
  }
  return t.data[offset];
}

/** Same shape, same values, new buffer. */
export function clone(t: Tensor): Tensor {
  return { shape: [...t.shape], data: new Float32Array(t.data) };
}

/** A view of the same data with another shape of equal size. */
export function reshape(t: Tensor, shape: readonly number[]): Tensor {
  return tensor(shape, t.data, 'reshape');
}

/** Nested plain arrays for display and tests, e.g. a `[2, 2]` tensor → `[[a, b], [c, d]]`. */
export function toNested(t: Tensor): unknown {
  const build = (dim: number, offset: number): unknown => {
    if (dim === t.shape.length) return t.data[offset];
    const stride = sizeOf(t.shape.slice(dim + 1));
    return Array.from({ length: t.shape[dim] }, (_, k) => build(dim + 1, offset + k * stride));
  };
  return build(0, 0);
}
