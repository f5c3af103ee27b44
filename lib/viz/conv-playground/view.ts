import type { ConvGeometry } from '../../geometry.ts';
import type { ConvExample } from '../conv-settings.ts';
import type { Conv2dLoopEvent } from '../../reference/conv2d-loops.ts';
import type { LoopCursor } from '../../trace/loop-cursor.ts';
import { conv2dLoops } from '../../reference/conv2d-loops.ts';
import { dilateTensor, padTensor } from '../../ops/dilated.ts';
import { ConvConfigError } from '../../errors.ts';
import { checkDrawBudget } from '../figure/budget.ts';
import { formatProduct, formatValue } from '../format.ts';
import type { Grid } from '../grid.ts';
import { planeOf } from '../grid.ts';
import { NUMBER_GRID_MAX } from './digit.ts';
import type { PlaygroundPicture } from './picture.ts';
import { pictureOf } from './picture.ts';

/**
 * The view-model of the convolution playground (lesson 1): one image, one channel, one filter.
 * Everything comes from running the reference loops conv2dLoops (lib/reference) with an observer:
 * every multiply-add, skipped padding tap and stored output is one recorded event, in loop order,
 * and the output grid is the loops' own result. The padded input comes from padTensor, the dilated
 * kernel from dilateTensor. Nothing here re-computes a convolution.
 */

/** One recorded statement of conv2dLoops: the loop's cursor and what it did. */
export interface PlaygroundEvent {
  cursor: LoopCursor;
  event: Conv2dLoopEvent;
  /** The output cell it belongs to, `oh·OW + ow` (the im2col column). */
  cell: number;
  /** Where the tap reads, in padded coordinates (rows and columns of the drawn input grid). */
  y: number;
  x: number;
}

/** One term of an output cell's sum, as the term list shows it. */
export interface PlaygroundTerm {
  kh: number;
  kw: number;
  y: number;
  x: number;
  padding: boolean;
  /** The product as the narration reads it, `4·10` (empty for a padding tap). */
  text: string;
  /** `x[1,0]·w[0,0] = 4·10 = 40`, or `pad·w[0,0] skipped` for a padding tap. */
  line: string;
  /** The running sum after this term. */
  running: number;
}

/** Everything the playground draws for one valid example. */
export interface PlaygroundView {
  geometry: ConvGeometry;
  /** The zero-padded input `HP×WP` (padTensor), and where it is padding. */
  padded: Grid;
  paddingMask: boolean[][];
  /** Row and column headers of the padded grid: the unpadded index, or '' on padding. */
  rowHeaders: string[];
  colHeaders: string[];
  kernel: Grid;
  /** The kernel with `dilation − 1` zeros between taps (dilateTensor), or null when dilation is 1. */
  dilatedKernel: Grid | null;
  /** conv2dLoops' output `OH×OW`. */
  output: Grid;
  /** Every statement the loops ran, in order (on a picture only the stores: one step per output pixel). */
  events: PlaygroundEvent[];
  /** Per output cell, its terms in loop order (padding taps included). */
  terms: PlaygroundTerm[][];
  /** For each padded input cell, the output cells whose window reads it (linked highlighting). */
  readers: number[][][];
  /**
   * For an input wider or taller than NUMBER_GRID_MAX (a 28 × 28 digit): the padded input and the
   * output as gray pictures, drawn instead of numbered grids; null otherwise.
   */
  pictures: { input: PlaygroundPicture; output: PlaygroundPicture } | null;
  /** Grid captions with their sizes, e.g. `Input 3 × 3, padded to 5 × 5`, `Output 2 × 2`. */
  captions: { input: string; kernel: string; dilatedKernel: string; output: string };
}

/** A term read from the loops' event; its texts are written when first read (a picture has thousands). */
class LoopTerm implements PlaygroundTerm {
  readonly kh: number;
  readonly kw: number;
  readonly padding: boolean;
  readonly running: number;
  readonly y: number;
  readonly x: number;
  readonly #event: Conv2dLoopEvent;
  constructor(event: Conv2dLoopEvent, y: number, x: number) {
    this.#event = event;
    this.y = y;
    this.x = x;
    this.kh = event.kh;
    this.kw = event.kw;
    this.padding = event.kind === 'pad';
    this.running = event.sum;
  }
  get text(): string {
    return this.padding ? '' : formatProduct(this.#event.input, this.#event.weight);
  }
  get line(): string {
    const e = this.#event;
    const tap = `w[${e.kh},${e.kw}]`;
    return this.padding
      ? `pad·${tap} skipped`
      : `x[${e.row},${e.col}]·${tap} = ${formatProduct(e.input, e.weight)} = ${formatValue(e.input * e.weight)}`;
  }
}

/** The most multiply-adds the figure runs on a picture (a 28 × 28 digit with a 5 × 5 kernel: 14,400). */
export const PICTURE_TAPS = 16_000;

function assertSingle(example: ConvExample): void {
  const { N, C } = example.geometry;
  const F = example.w.shape[0];
  if (N !== 1 || C !== 1 || F !== 1) {
    throw new ConvConfigError('example', `the playground shows one image, one channel and one filter, got N=${N}, C=${C}, F=${F}`);
  }
}

function headers(count: number, pad: number, size: number): string[] {
  return Array.from({ length: count }, (_, k) => (k < pad || k >= pad + size ? '' : String(k - pad)));
}

/**
 * Builds the playground for a valid one-image, one-channel, one-filter example by running
 * conv2dLoops with an observer. Throws ConvConfigError for N, C or F ≠ 1, or over DRAW_BUDGET (the
 * numbered cells: every grid, or only the kernel when input and output are drawn as pictures).
 */
export function buildPlaygroundView(example: ConvExample): PlaygroundView {
  assertSingle(example);
  const { x, w, geometry: g } = example;
  const { stride, padding, dilation } = example.settings;
  const picture = g.H > NUMBER_GRID_MAX || g.W > NUMBER_GRID_MAX;
  const kernelCells = g.KH * g.KW + (dilation > 1 ? g.EKH * g.EKW : 0);
  checkDrawBudget(kernelCells + (picture ? 0 : g.HP * g.WP + g.OH * g.OW), picture ? 'kernel' : 'input, kernel and output');
  const taps = g.OH * g.OW * g.KH * g.KW;
  if (picture && taps > PICTURE_TAPS) {
    throw new ConvConfigError(
      'settings',
      `the figure would run ${taps.toLocaleString('en-US')} multiply-adds (output ${g.OH} × ${g.OW}, kernel ${g.KH} × ${g.KW}); on a picture it runs at most ${PICTURE_TAPS.toLocaleString('en-US')}`,
    );
  }
  const events: PlaygroundEvent[] = [];
  const terms: PlaygroundTerm[][] = Array.from({ length: g.OH * g.OW }, () => []);
  const readers: number[][][] = Array.from({ length: g.HP }, () => Array.from({ length: g.WP }, () => []));
  const y = conv2dLoops(x, w, null, { stride, padding, dilation }, (cursor, event) => {
    const cell = event.oh * g.OW + event.ow;
    const py = event.row + g.ph;
    const px = event.col + g.pw;
    // On a picture the figure steps once per output pixel: only the stores become steps.
    if (!picture || event.kind === 'store') events.push({ cursor, event, cell, y: py, x: px });
    if (event.kind === 'store') return;
    terms[cell].push(new LoopTerm(event, py, px));
    readers[py][px].push(cell);
  });
  const paddingMask = Array.from({ length: g.HP }, (_, r) =>
    Array.from({ length: g.WP }, (_, c) => r < g.ph || r >= g.ph + g.H || c < g.pw || c >= g.pw + g.W),
  );
  const padded = planeOf(padTensor(x, [g.ph, g.ph], [g.pw, g.pw]));
  const output = planeOf(y);
  return {
    geometry: g,
    padded,
    paddingMask,
    rowHeaders: headers(g.HP, g.ph, g.H),
    colHeaders: headers(g.WP, g.pw, g.W),
    kernel: planeOf(w),
    dilatedKernel: g.dh === 1 && g.dw === 1 ? null : planeOf(dilateTensor(w, [g.dh, g.dw])),
    output,
    events,
    terms,
    readers,
    pictures: picture ? { input: pictureOf(padded), output: pictureOf(output) } : null,
    captions: {
      input: g.ph === 0 && g.pw === 0 ? `Input ${g.H} × ${g.W}` : `Input ${g.H} × ${g.W}, padded to ${g.HP} × ${g.WP}`,
      kernel: `Kernel ${g.KH} × ${g.KW}`,
      dilatedKernel: `Dilated footprint ${g.EKH} × ${g.EKW}`,
      output: `Output ${g.OH} × ${g.OW}`,
    },
  };
}

/**
 * The flat NCHW index of the input pixel drawn at padded `(r, c)`, for editing; null on padding
 * or outside the grid.
 */
export function inputIndexAt(view: PlaygroundView, r: number, c: number): number | null {
  const g = view.geometry;
  const row = r - g.ph;
  const col = c - g.pw;
  if (!Number.isInteger(row) || !Number.isInteger(col) || row < 0 || row >= g.H || col < 0 || col >= g.W) return null;
  return row * g.W + col;
}

/**
 * The output-size formula with this geometry's numbers plugged in, one line per axis, e.g.
 * `OH = ⌊(3 + 2·0 − 1·(2 − 1) − 1) / 1⌋ + 1 = 2`. The result is the engine's (convGeometry).
 */
export function outputSizeLines(g: ConvGeometry): [string, string] {
  return [
    `OH = ⌊(${g.H} + 2·${g.ph} − ${g.dh}·(${g.KH} − 1) − 1) / ${g.sh}⌋ + 1 = ${g.OH}`,
    `OW = ⌊(${g.W} + 2·${g.pw} − ${g.dw}·(${g.KW} − 1) − 1) / ${g.sw}⌋ + 1 = ${g.OW}`,
  ];
}
