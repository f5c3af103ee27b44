import type { ConvGeometry, ConvOptions } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { checkBufferSizes } from '../buffer-limit.ts';

/** The geometry of one convolution plus its number of filters `F` (the output channels). */
export interface ConvShapes extends ConvGeometry {
  F: number;
}

/** The two ways conv2dBackward can compute the input gradient. */
export type BackwardMethod = 'col2im' | 'dilated';

const METHODS: readonly BackwardMethod[] = ['col2im', 'dilated'];

/**
 * Checks the operands of a convolution over an input of shape `xShape` (`[N, C, H, W]`): the
 * kernel `w` (`[F, C, KH, KW]`), the optional bias `b` (`[F]`) and the options, and returns the
 * geometry with `F`. Throws ConvConfigError naming the parameter for a kernel that is not a 4-D
 * tensor, an option out of range, a kernel that does not fit the padded input, kernel channels
 * that differ from the input's, or a bias whose length is not F.
 */
export function checkConvShapes(xShape: readonly number[], w: Tensor, b: Tensor | null, opts: ConvOptions = {}, op = 'conv2d'): ConvShapes {
  assertTensor('w', w, 4, '[F, C, KH, KW]');
  const [F, CW, KH, KW] = w.shape;
  const g = convGeometry(xShape, [KH, KW], opts, op);
  if (CW !== g.C) {
    throw new ConvConfigError(
      'w',
      `w has ${CW} input channel${CW === 1 ? '' : 's'} but x has ${g.C}: w ${describeValue(w.shape)} [F, C, KH, KW] must match x ${describeValue(xShape)} [N, C, H, W] in C`,
    );
  }
  if (b !== null && b !== undefined) {
    assertTensor('b', b, 1, '[F]');
    if (b.shape[0] !== F) {
      throw new ConvConfigError(
        'b',
        `b must have one entry per filter, length F = ${F} for w ${describeValue(w.shape)}, got length ${b.shape[0]}`,
      );
    }
  }
  checkBufferSizes(op, { 'the output': [g.N, F, g.OH, g.OW] });
  return { ...g, F };
}

/**
 * Checks the inputs of a forward convolution `x` (`[N, C, H, W]`), `w`, `b` and the options (see
 * checkConvShapes) and returns the geometry with `F`. `op` names the caller in messages.
 */
export function checkConvArgs(x: Tensor, w: Tensor, b: Tensor | null, opts: ConvOptions = {}, op = 'conv2d'): ConvShapes {
  assertTensor('x', x, 4, '[N, C, H, W]');
  return checkConvShapes(x.shape, w, b, opts, op);
}

/**
 * Checks that an output gradient `dy` has exactly the forward output's shape `[N, F, OH, OW]`
 * for geometry `s`; the message gives the expected shape.
 */
export function checkOutputGradient(dy: Tensor, s: ConvShapes): void {
  const expected = [s.N, s.F, s.OH, s.OW];
  if (dy && Array.isArray(dy.shape)) {
    const same = dy.shape.length === 4 && dy.shape.every((d, k) => d === expected[k]);
    if (!same) {
      throw new ConvConfigError(
        'dy',
        `dy must have the forward output's shape [N, F, OH, OW] = ${describeValue(expected)}, got ${describeValue(dy.shape)}`,
      );
    }
  }
  assertTensor('dy', dy, 4, '[N, F, OH, OW]');
}

/** Checks a backward method name: one of 'col2im' and 'dilated'. */
export function checkBackwardMethod(method: unknown): BackwardMethod {
  if (!METHODS.includes(method as BackwardMethod)) {
    throw new ConvConfigError('method', `method must be ${METHODS.map((m) => `'${m}'`).join(' or ')}, got ${describeValue(method)}`);
  }
  return method as BackwardMethod;
}
