import type { ConvGeometry } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import type { Tensor } from '../tensor.ts';
import type { ScatterAdd } from '../im2col/col2im.ts';
import { assertColsShape, col2imInto } from '../im2col/col2im.ts';
import type { TraceOptions } from './patch-extraction.ts';
import { TRACE_OPTION_KEYS, assertTraceSize, resolveMaxEvents } from './patch-extraction.ts';
import { checkOptions } from '../options.ts';

/**
 * The adds of one matrix column `column = (n·OH + oh)·OW + ow`, i.e. one window folded back into the
 * image; its top-left corner is `(originY, originX)` in padded coordinates. `adds` are the engine's
 * ScatterAdd events for this column in row order. col2imInto folds one whole column before the
 * next, so the columns in order are the engine's loop: replaying them one per step, every add's
 * `before`/`after` is exactly what the engine computed, and the last column leaves `dx`.
 */
export interface Col2imColumnStep {
  column: number;
  n: number;
  oh: number;
  ow: number;
  originY: number;
  originX: number;
  adds: ScatterAdd[];
}

/**
 * A recorded run of col2im. `dx` (`[N, C, H, W]`) is what col2imInto accumulated while observed.
 * `steps` holds one ScatterAdd per matrix entry in the engine's order (column by column, row by row
 * inside a column), dropped padding entries included (`dropped: true`). `coverage`
 * (`[N, C, H, W]`) counts, per pixel, the adds that landed on it: how many windows touch it.
 * `columns` groups the steps per matrix column; concatenated in order they are `steps`.
 */
export interface Col2imTrace {
  geometry: ConvGeometry;
  dx: Tensor;
  steps: ScatterAdd[];
  coverage: Tensor;
  columns: Col2imColumnStep[];
}

/**
 * Traces col2im of `cols` (`[C·KH·KW, N·OH·OW]`) back into an image of shape `xShape`
 * (`[N, C, H, W]`) with a `KH×KW` kernel, by running the engine's own loop (col2imInto) with an
 * observer. Throws ConvConfigError for invalid input, like col2im, and when the trace would exceed
 * `opts.maxEvents` adds.
 */
export function traceCol2im(
  cols: Tensor,
  xShape: readonly number[],
  kernel: readonly [number, number] | readonly number[],
  opts: TraceOptions = {},
): Col2imTrace {
  const { maxEvents, ...convOpts } = checkOptions<TraceOptions>('traceCol2im', opts, TRACE_OPTION_KEYS);
  const geometry = convGeometry(xShape, kernel, convOpts, 'traceCol2im');
  assertColsShape(cols, geometry);
  const { N, C, H, W, OH, OW, sh, sw, ph, pw } = geometry;
  assertTraceSize(cols.data.length, resolveMaxEvents({ maxEvents }), 'adds');

  const columns: Col2imColumnStep[] = [];
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) columns.push({ column: columns.length, n, oh, ow, originY: oh * sh, originX: ow * sw, adds: [] });
    }
  }
  const steps: ScatterAdd[] = [];
  const dx = new Float32Array(N * C * H * W);
  col2imInto(cols.data, geometry, dx, (add) => {
    steps.push(add);
    columns[add.column].adds.push(add);
  });

  const coverage = new Float32Array(N * C * H * W);
  for (const add of steps) {
    if (!add.dropped) coverage[((add.n * C + add.c) * H + (add.y - ph)) * W + (add.x - pw)] += 1;
  }
  const shape = [N, C, H, W];
  return { geometry, dx: { shape, data: dx }, steps, coverage: { shape: [...shape], data: coverage }, columns };
}
