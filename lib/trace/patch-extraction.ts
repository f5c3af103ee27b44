import type { ConvGeometry, ConvOptions } from '../geometry.ts';
import { CONV_OPTION_KEYS, convGeometry } from '../geometry.ts';
import { checkOptions } from '../options.ts';
import type { Tensor } from '../tensor.ts';
import { assertTensor } from '../tensor.ts';
import type { PatchCopy } from '../im2col/im2col.ts';
import { im2colInto } from '../im2col/im2col.ts';
import { ConvConfigError } from '../errors.ts';

/** Options of a trace: the convolution's options plus a cap on the number of recorded events. */
export interface TraceOptions extends ConvOptions {
  /** Most events a trace may record (default 250 000); traces are meant for small teaching inputs. */
  maxEvents?: number;
}

/**
 * One patch of im2col: window placement `(n, oh, ow)` copied into matrix column
 * `column = (n·OH + oh)·OW + ow`. The window's top-left corner sits at `(originY, originX)` in padded
 * coordinates (`oh·sh`, `ow·sw`). `copies` are the engine's PatchCopy events for this column, in
 * row order (`r = (c·KH + kh)·KW + kw`), each with its padded source `(y, x)`, value and padding flag.
 */
export interface PatchStep {
  column: number;
  n: number;
  oh: number;
  ow: number;
  originY: number;
  originX: number;
  copies: PatchCopy[];
}

/**
 * A recorded run of im2col. `cols` (`[C·KH·KW, N·OH·OW]`) is the matrix im2colInto wrote while being
 * observed; `copies` are its events in the order the loop made them (row by row), for per-copy
 * stepping; `steps` group them per patch, one step per matrix column, in column order.
 */
export interface PatchExtractionTrace {
  geometry: ConvGeometry;
  cols: Tensor;
  copies: PatchCopy[];
  steps: PatchStep[];
}

const DEFAULT_MAX_EVENTS = 250_000;

/** The keys of TraceOptions: the convolution's options and maxEvents. */
export const TRACE_OPTION_KEYS: readonly string[] = [...CONV_OPTION_KEYS, 'maxEvents'];

/** Reads and checks `maxEvents`; shared by the traces. */
export function resolveMaxEvents(opts: TraceOptions): number {
  const max = opts.maxEvents ?? DEFAULT_MAX_EVENTS;
  if (!Number.isInteger(max) || max < 1) {
    throw new ConvConfigError('maxEvents', `maxEvents must be a positive integer, got ${String(max)}`);
  }
  return max;
}

/** Throws when a trace would record more than `max` events. */
export function assertTraceSize(events: number, max: number, what: string): void {
  if (events > max) {
    throw new ConvConfigError(
      'maxEvents',
      `this trace would record ${events} ${what}, more than maxEvents = ${max}; use a smaller input or raise maxEvents`,
    );
  }
}

/**
 * Traces im2col of `x` (`[N, C, H, W]`) with a `KH×KW` kernel by running the engine's own loop
 * (im2colInto) with an observer. Throws ConvConfigError for invalid input, like im2col, and when the
 * trace would exceed `opts.maxEvents` copies.
 */
export function tracePatchExtraction(
  x: Tensor,
  kernel: readonly [number, number] | readonly number[],
  opts: TraceOptions = {},
): PatchExtractionTrace {
  assertTensor('x', x, 4, '[N, C, H, W]');
  const { maxEvents, ...convOpts } = checkOptions<TraceOptions>('tracePatchExtraction', opts, TRACE_OPTION_KEYS);
  const geometry = convGeometry(x.shape, kernel, convOpts, 'tracePatchExtraction');
  const { N, C, KH, KW, OH, OW, sh, sw } = geometry;
  const rows = C * KH * KW;
  const columns = N * OH * OW;
  assertTraceSize(rows * columns, resolveMaxEvents({ maxEvents }), 'copies');

  const steps: PatchStep[] = [];
  for (let q = 0; q < columns; q++) {
    const ow = q % OW;
    const oh = Math.floor(q / OW) % OH;
    const n = Math.floor(q / (OH * OW));
    steps.push({ column: q, n, oh, ow, originY: oh * sh, originX: ow * sw, copies: [] });
  }
  const copies: PatchCopy[] = [];
  const data = new Float32Array(rows * columns);
  im2colInto(x.data, geometry, data, (copy) => {
    copies.push(copy);
    steps[copy.column].copies.push(copy);
  });
  return { geometry, cols: { shape: [rows, columns], data }, copies, steps };
}
