import { ConvConfigError, describeValue } from './errors.ts';
import { checkOptions } from './options.ts';

/** A value per spatial axis: `[height, width]`. */
export type Pair = readonly [number, number];

/**
 * Options of a convolution (or pooling) window. Each is one number for both axes or
 * `[height, width]`. Defaults: stride 1, padding 0 (zeros, the same on both sides), dilation 1.
 */
export interface ConvOptions {
  stride?: number | Pair;
  padding?: number | Pair;
  dilation?: number | Pair;
}

/** ConvOptions with every value present and split per axis. */
export interface ResolvedConvOptions {
  stride: Pair;
  padding: Pair;
  dilation: Pair;
}

/**
 * Everything the ops need to know about one window placement, derived once:
 * input `[N, C, H, W]`, kernel `KH×KW`, per-axis stride `sh, sw`, padding `ph, pw`, dilation
 * `dh, dw`; the padded input `HP×WP`; the dilated kernel's footprint `EKH×EKW`
 * (`dh·(KH−1)+1`); and the output `OH×OW`, `OH = floor((H + 2·ph − dh·(KH−1) − 1) / sh) + 1`.
 */
export interface ConvGeometry {
  N: number;
  C: number;
  H: number;
  W: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  dh: number;
  dw: number;
  HP: number;
  WP: number;
  EKH: number;
  EKW: number;
  OH: number;
  OW: number;
}

const AXES = ['height', 'width'] as const;

/** The keys of ConvOptions, the only ones a convolution's options object may have. */
export const CONV_OPTION_KEYS: readonly string[] = ['stride', 'padding', 'dilation'];

function splitPair(name: string, value: number | Pair | undefined, fallback: number): Pair {
  if (value === undefined) return [fallback, fallback];
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2) return [value[0], value[1]];
  throw new ConvConfigError(name, `${name} must be a number or a [height, width] pair, got ${describeValue(value)}`);
}

function check(name: string, pair: Pair, scalar: boolean, min: number, allowed: string): void {
  for (let axis = 0; axis < 2; axis++) {
    const v = pair[axis];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      const label = scalar ? name : `${name} (${AXES[axis]})`;
      throw new ConvConfigError(name, `${label} must be ${allowed}, got ${describeValue(v)}`);
    }
  }
}

/**
 * Validates and splits ConvOptions per axis. Throws ConvConfigError for a stride or dilation that
 * is not a positive integer (0, negative, fractional, NaN) and for a padding that is not a
 * non-negative integer, and for an options argument that is not an object or has another key
 * (`op` names the caller in that message).
 */
export function resolveConvOptions(opts: ConvOptions = {}, op = 'the convolution'): ResolvedConvOptions {
  opts = checkOptions<ConvOptions>(op, opts, CONV_OPTION_KEYS);
  const stride = splitPair('stride', opts.stride, 1);
  const padding = splitPair('padding', opts.padding, 0);
  const dilation = splitPair('dilation', opts.dilation, 1);
  check('stride', stride, !Array.isArray(opts.stride), 1, 'a positive integer');
  check('padding', padding, !Array.isArray(opts.padding), 0, 'a non-negative integer');
  check('dilation', dilation, !Array.isArray(opts.dilation), 1, 'a positive integer');
  return { stride, padding, dilation };
}

/**
 * Output length along one axis: `floor((size + 2·padding − dilation·(kernel−1) − 1) / stride) + 1`.
 * Assumes valid arguments (see convGeometry for the checked version); may be ≤ 0 when the kernel
 * does not fit.
 */
export function outputSize(size: number, kernel: number, stride: number, padding: number, dilation: number): number {
  return Math.floor((size + 2 * padding - dilation * (kernel - 1) - 1) / stride) + 1;
}

/**
 * Checks an input shape `[N, C, H, W]`, a kernel size `[KH, KW]` and the options, and returns the
 * full geometry. Throws ConvConfigError naming the parameter when the input shape is not 4-D with
 * positive integer dimensions, the kernel size is not two positive integers, an option is out of
 * range, or the dilated kernel does not fit the padded input.
 */
export function convGeometry(
  xShape: readonly number[],
  kernel: readonly number[],
  opts: ConvOptions = {},
  op = 'the convolution',
): ConvGeometry {
  if (!Array.isArray(xShape) || xShape.length !== 4) {
    throw new ConvConfigError(
      'x',
      `x must be a 4-D tensor [N, C, H, W], got shape ${describeValue(xShape)}${Array.isArray(xShape) ? ` (rank ${xShape.length})` : ''}`,
    );
  }
  for (const d of xShape) {
    if (!Number.isInteger(d) || d < 1) {
      throw new ConvConfigError('x', `x [N, C, H, W] must have positive integer dimensions, got ${describeValue(xShape)}`);
    }
  }
  if (!Array.isArray(kernel) || kernel.length !== 2 || !kernel.every((k) => Number.isInteger(k) && k >= 1)) {
    throw new ConvConfigError('kernel', `kernel size must be two positive integers [KH, KW], got ${describeValue(kernel)}`);
  }
  const { stride, padding, dilation } = resolveConvOptions(opts, op);
  const [N, C, H, W] = xShape;
  const [KH, KW] = kernel;
  const [sh, sw] = stride;
  const [ph, pw] = padding;
  const [dh, dw] = dilation;
  const HP = H + 2 * ph;
  const WP = W + 2 * pw;
  const EKH = dh * (KH - 1) + 1;
  const EKW = dw * (KW - 1) + 1;
  if (EKH > HP || EKW > WP) {
    const dil = dh === 1 && dw === 1 ? '' : ` (dilation ${dh === dw ? dh : `${dh}×${dw}`} → ${EKH}×${EKW})`;
    throw new ConvConfigError('kernel', `kernel ${KH}×${KW}${dil} does not fit the padded input ${HP}×${WP}`);
  }
  const OH = outputSize(H, KH, sh, ph, dh);
  const OW = outputSize(W, KW, sw, pw, dw);
  return { N, C, H, W, KH, KW, sh, sw, ph, pw, dh, dw, HP, WP, EKH, EKW, OH, OW };
}
