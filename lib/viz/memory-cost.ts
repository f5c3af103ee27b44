import type { ConvGeometry } from '../geometry.ts';
import { convGeometry } from '../geometry.ts';
import { im2colBytes } from '../im2col/im2col.ts';
import { sizeOf } from '../tensor.ts';
import { ConvConfigError, describeValue } from '../errors.ts';
import { formatBytes, groupDigitsWith } from './format.ts';
import { quoteClipped } from '../clip-text.ts';

/**
 * The view-model of lesson 5's "how big does the matrix get" calculator: for one convolution
 * layer, the engine's geometry (convGeometry) and the bytes of the input, the im2col matrix X_col
 * (im2colBytes), the kernel matrix W_row and the output, all float32. Pure; no DOM.
 */

/** One convolution layer as the reader describes it. Kernel, stride, padding and dilation are the same on both axes. */
export interface LayerSettings {
  /** Batch size N. */
  N: number;
  /** Input channels C. */
  C: number;
  H: number;
  W: number;
  /** Filters F (output channels). */
  F: number;
  KH: number;
  KW: number;
  stride: number;
  padding: number;
  dilation: number;
}

export type LayerKey = keyof LayerSettings;

/** A field of the calculator: its key, URL parameter and label. */
export interface LayerField {
  key: LayerKey;
  param: string;
  label: string;
  min: number;
}

/** The calculator's fields, in the order they are shown. */
export const LAYER_FIELDS: readonly LayerField[] = [
  { key: 'N', param: 'n', label: 'Batch', min: 1 },
  { key: 'C', param: 'c', label: 'Channels', min: 1 },
  { key: 'H', param: 'h', label: 'Height', min: 1 },
  { key: 'W', param: 'w', label: 'Width', min: 1 },
  { key: 'KH', param: 'kh', label: 'Kernel height', min: 1 },
  { key: 'KW', param: 'kw', label: 'Kernel width', min: 1 },
  { key: 'stride', param: 's', label: 'Stride', min: 1 },
  { key: 'padding', param: 'p', label: 'Padding', min: 0 },
  { key: 'dilation', param: 'd', label: 'Dilation', min: 1 },
  { key: 'F', param: 'f', label: 'Filters', min: 1 },
];

/** A named layer to start from, with where its sizes come from. */
export interface LayerPreset {
  id: string;
  label: string;
  source: string;
  settings: LayerSettings;
}

const layer = (N: number, C: number, H: number, F: number, K: number, stride: number, padding: number): LayerSettings => ({
  N,
  C,
  H,
  W: H,
  F,
  KH: K,
  KW: K,
  stride,
  padding,
  dilation: 1,
});

/** The presets: AlexNet's first layer (book chapter "Making faster"), the seed MNIST CNN's three layers (Pisa slides, batch 32), a 3×3 layer. */
export const LAYER_PRESETS: readonly LayerPreset[] = [
  { id: 'alexnet', label: 'AlexNet conv1', source: 'the book chapter "Making faster"', settings: layer(1, 3, 227, 96, 11, 4, 0) },
  { id: 'mnist1', label: 'MNIST CNN conv1', source: 'the University of Pisa slides', settings: layer(32, 1, 28, 32, 2, 2, 0) },
  { id: 'mnist2', label: 'MNIST CNN conv2', source: 'the University of Pisa slides', settings: layer(32, 32, 14, 64, 2, 2, 1) },
  { id: 'mnist3', label: 'MNIST CNN conv3', source: 'the University of Pisa slides', settings: layer(32, 64, 8, 128, 2, 2, 0) },
  {
    id: 'conv3x3',
    label: '3×3 conv, 64→64 on 56×56',
    source: 'a typical stride-1, pad-1 layer of a deep CNN',
    settings: layer(32, 64, 56, 64, 3, 1, 1),
  },
];

/** The calculator's starting layer: AlexNet conv1. */
export const DEFAULT_LAYER: LayerSettings = LAYER_PRESETS[0].settings;

/** One of the four buffers of a convolution by im2col. */
export interface Buffer {
  id: 'input' | 'xcol' | 'wrow' | 'output';
  /** Its name and shape, e.g. `X_col [363, 3025]`. */
  label: string;
  /** The MatrixGrid role whose color it takes. */
  role: 'input' | 'matrix' | 'kernel' | 'output';
  shape: number[];
  bytes: number;
  /** formatBytes(bytes), e.g. `4.39 MB`. */
  text: string;
}

/** What the calculator shows for one valid layer. */
export interface MemoryCost {
  settings: LayerSettings;
  geometry: ConvGeometry;
  /** X_col's shape `[C·KH·KW, N·OH·OW]`. */
  xColShape: [number, number];
  /** Input, X_col, W_row and output, in that order. */
  buffers: Buffer[];
  /** X_col's bytes over the input's bytes. */
  ratio: number;
  /** The ratio for reading: `7.1×`. */
  ratioText: string;
  /** The most windows one pixel can fall in: KH·KW (every tap of the kernel), the upper bound of the ratio without padding. */
  maxCopies: number;
  /** maxCopies for reading: `at most 9 copies of a pixel`, `at most 1 copy of a pixel`. */
  maxCopiesText: string;
  /** A sentence with the comparison, e.g. `X_col takes 4.39 MB, 7.1× the input's 618.35 kB.` */
  summary: string;
}

/** Float32 bytes of a tensor shape. */
function bytesOf(shape: readonly number[]): number {
  return 4 * sizeOf(shape);
}

/** `1098075` → `1 098 075`: thousands separated by thin spaces. */
export function groupDigits(n: number): string {
  return groupDigitsWith(n, '\u2009');
}

/** A ratio as read: two significant decimals below 10, one below 100, none above. */
export function formatRatio(ratio: number): string {
  const digits = ratio < 10 ? 2 : ratio < 100 ? 1 : 0;
  return `${Number(ratio.toFixed(digits))}×`;
}

/**
 * The memory cost of one layer. The geometry (output size, and every check of the input shape,
 * kernel, stride, padding and dilation) comes from convGeometry, X_col's bytes from im2colBytes.
 * Throws the engine's ConvConfigError for an invalid layer, and one for filters that are not a
 * positive integer (the geometry does not involve them).
 */
export function memoryCost(settings: LayerSettings): MemoryCost {
  const { N, C, H, W, F, KH, KW, stride, padding, dilation } = settings;
  const geometry = convGeometry([N, C, H, W], [KH, KW], { stride, padding, dilation });
  if (!Number.isInteger(F) || F < 1) {
    throw new ConvConfigError('filters', `filters must be a positive integer, got ${describeValue(F)}`);
  }
  const { OH, OW } = geometry;
  const xColShape: [number, number] = [C * KH * KW, N * OH * OW];
  const xColBytes = im2colBytes(geometry);
  const make = (id: Buffer['id'], name: string, role: Buffer['role'], shape: number[], bytes: number): Buffer => ({
    id,
    label: `${name} [${shape.join(', ')}]`,
    role,
    shape,
    bytes,
    text: formatBytes(bytes),
  });
  const buffers: Buffer[] = [
    make('input', 'Input', 'input', [N, C, H, W], bytesOf([N, C, H, W])),
    make('xcol', 'X_col', 'matrix', xColShape, xColBytes),
    make('wrow', 'W_row', 'kernel', [F, C * KH * KW], bytesOf([F, C * KH * KW])),
    make('output', 'Output', 'output', [N, F, OH, OW], bytesOf([N, F, OH, OW])),
  ];
  const ratio = xColBytes / buffers[0].bytes;
  const ratioText = formatRatio(ratio);
  return {
    settings,
    geometry,
    xColShape,
    buffers,
    ratio,
    ratioText,
    maxCopies: KH * KW,
    maxCopiesText: `at most ${KH * KW} ${KH * KW === 1 ? 'copy' : 'copies'} of a pixel`,
    summary: `X_col takes ${buffers[1].text}, ${ratioText} the input's ${buffers[0].text}.`,
  };
}

/** The calculator's state: the fields as typed, the last valid cost, and the engine's message when the fields are invalid. */
export interface CalculatorState {
  settings: LayerSettings;
  cost: MemoryCost;
  error: string | null;
}

/** The state for a layer known to be valid (a preset or the defaults). */
export function initialCalculator(settings: LayerSettings = DEFAULT_LAYER): CalculatorState {
  return { settings, cost: memoryCost(settings), error: null };
}

/**
 * Applies a layer: valid → the cost updates; invalid → the last valid cost stays and `error`
 * carries the engine's message.
 */
export function applyLayer(state: CalculatorState, settings: LayerSettings): CalculatorState {
  try {
    return { settings, cost: memoryCost(settings), error: null };
  } catch (err) {
    if (err instanceof ConvConfigError) return { settings, cost: state.cost, error: err.message };
    throw err;
  }
}

/** Sets one field from the text of its input (empty or non-numeric text becomes NaN, which the engine refuses by name). */
export function setLayerField(state: CalculatorState, key: LayerKey, text: string): CalculatorState {
  const value = text.trim() === '' ? Number.NaN : Number(text);
  return applyLayer(state, { ...state.settings, [key]: value });
}

/** The preset whose settings equal `settings`, if any (to mark the active preset button). */
export function presetOf(settings: LayerSettings): LayerPreset | undefined {
  return LAYER_PRESETS.find((p) => LAYER_FIELDS.every((f) => p.settings[f.key] === settings[f.key]));
}

/**
 * Reads a layer from the URL query (`<prefix>n`, `c`, `h`, `w`, `kh`, `kw`, `s`, `p`, `d`, `f`).
 * A value that is not an integer at or above its minimum is ignored with a notice; a layer the
 * engine refuses falls back to `defaults` with the engine's message. Never throws.
 */
export function layerFromQuery(
  query: URLSearchParams,
  defaults: LayerSettings = DEFAULT_LAYER,
  prefix = '',
): { settings: LayerSettings; notices: string[] } {
  const notices: string[] = [];
  const settings: LayerSettings = { ...defaults };
  let touched = false;
  for (const field of LAYER_FIELDS) {
    const raw = query.get(prefix + field.param);
    if (raw === null) continue;
    touched = true;
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(v) || v < field.min) {
      notices.push(
        `Ignored ${field.label.toLowerCase()} ${quoteClipped(raw)} from the link: it must be an integer of at least ${field.min}.`,
      );
    } else {
      settings[field.key] = v;
    }
  }
  if (!touched) return { settings: defaults, notices };
  try {
    memoryCost(settings);
    return { settings, notices };
  } catch (err) {
    notices.push(`The link's layer was not valid (${err instanceof Error ? err.message : String(err)}); showing the defaults instead.`);
    return { settings: defaults, notices };
  }
}

/** Writes a layer into `query` (only this prefix's keys): the fields that differ from `defaults`. */
export function layerToQuery(settings: LayerSettings, defaults: LayerSettings, query: URLSearchParams, prefix = ''): URLSearchParams {
  for (const field of LAYER_FIELDS) {
    const key = prefix + field.param;
    if (settings[field.key] === defaults[field.key]) query.delete(key);
    else query.set(key, String(settings[field.key]));
  }
  return query;
}
