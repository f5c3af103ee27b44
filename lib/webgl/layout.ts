import { ConvConfigError, describeValue } from '../errors.ts';

/**
 * Where a matrix `[rows, cols]` lives in an RGBA32F 2D-array texture. Four consecutive columns
 * share one texel (channels x, y, z, w = columns 4t … 4t+3; the last texel of a row is zero
 * padded), so a row needs `texelsPerRow = ceil(cols / 4)` texels. Rows are dealt round-robin over
 * `layers` layers (1, or 4 or 8 for the outputs of the GEMM, whose fragments compute that many rows at once):
 * row r sits in layer `r mod layers` at row group `g = floor(r / layers)`. Normally a row group is
 * one texture row (`rowSpan = 1`, `fold = 1`, `width = texelsPerRow`). When a row is wider than
 * the device allows it wraps over `rowSpan` texture rows of `width` texels: texel t of row r sits
 * at `x = t mod width`, `y = g·rowSpan + floor(t / width)`; texels past `texelsPerRow` are padding.
 * When there are more row groups than texture rows but the rows are narrow (a flattened
 * activation `[C·H·W, N]`), `fold` row groups sit side by side in one texture row: texel t of row
 * r at `x = (g mod fold)·texelsPerRow + t`, `y = floor(g / fold)`; the groups past the last row in
 * the last texture row are padding.
 */
export interface MatrixLayout {
  readonly rows: number;
  readonly cols: number;
  /** 1, 4 or 8 (rows dealt over that many layers, written together through as many render targets). */
  readonly layers: number;
  /** `ceil(cols / 4)`: texels holding one matrix row. */
  readonly texelsPerRow: number;
  /** Texture rows per matrix row (1 unless the row wraps). */
  readonly rowSpan: number;
  /** Row groups side by side in one texture row (1 unless the matrix folds). */
  readonly fold: number;
  /** Texture width in texels. */
  readonly width: number;
  /** Texture height in texels: `ceil(rows / layers) · rowSpan`, or `ceil(ceil(rows / layers) / fold)` when folded. */
  readonly height: number;
  /** True when rows wrap (`rowSpan > 1`). */
  readonly wrapped: boolean;
  /** True when row groups fold (`fold > 1`). */
  readonly folded: boolean;
}

function positiveInteger(parameter: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConvConfigError(parameter, `${parameter} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * The texture layout of a matrix `[rows, cols]` on a device whose textures are at most
 * `maxTextureSize` texels on a side, its rows dealt over `layers` layers (1, 4 or 8). Wrapped rows
 * are spread evenly: `rowSpan = ceil(texelsPerRow / maxTextureSize)`,
 * `width = ceil(texelsPerRow / rowSpan)`. Row groups that do not fit the height fold:
 * `fold = ceil(groups / maxTextureSize)` groups per texture row. Throws ConvConfigError when
 * `rows`, `cols` or `maxTextureSize` is not a positive integer, `layers` is not 1, 4 or 8, or the
 * texture would be taller than the limit (wrapped rows) or a folded row wider than it (the
 * message names the matrix size and the limit).
 */
export function matrixLayout(rows: number, cols: number, maxTextureSize: number, layers = 1): MatrixLayout {
  positiveInteger('rows', rows);
  positiveInteger('cols', cols);
  positiveInteger('maxTextureSize', maxTextureSize);
  if (layers !== 1 && layers !== 4 && layers !== 8) {
    throw new ConvConfigError('layers', `layers must be 1, 4 or 8, got ${describeValue(layers)}`);
  }
  const texelsPerRow = Math.ceil(cols / 4);
  const rowSpan = Math.ceil(texelsPerRow / maxTextureSize);
  const groups = Math.ceil(rows / layers);
  const tooMany = (needed: string): ConvConfigError =>
    new ConvConfigError('rows', `a ${rows}×${cols} matrix needs ${needed}, more than the device's limit of ${maxTextureSize}`);
  if (rowSpan === 1 && groups > maxTextureSize) {
    const fold = Math.ceil(groups / maxTextureSize);
    const width = fold * texelsPerRow;
    if (width > maxTextureSize)
      throw tooMany(`${groups} texture rows${layers > 1 ? ` (${layers} layers)` : ''}, or ${width} texels a row when folded`);
    return { rows, cols, layers, texelsPerRow, rowSpan, fold, width, height: Math.ceil(groups / fold), wrapped: false, folded: true };
  }
  const width = Math.ceil(texelsPerRow / rowSpan);
  const height = groups * rowSpan;
  if (height > maxTextureSize) throw tooMany(`${height} texture rows (${rowSpan} per matrix row${layers > 1 ? `, ${layers} layers` : ''})`);
  return { rows, cols, layers, texelsPerRow, rowSpan, fold: 1, width, height, wrapped: rowSpan > 1, folded: false };
}

/** Floats in the texture of `layout` (4 per texel, every layer), i.e. the length packMatrix returns. */
export function texelFloats(layout: MatrixLayout): number {
  return layout.width * layout.height * 4 * layout.layers;
}

/**
 * True when a row-major `[rows, cols]` array already is the texture's memory image (one layer, no
 * padding lane and no padding texel), so it can be uploaded or read without repacking.
 */
export function isDenseLayout(layout: MatrixLayout): boolean {
  return (
    layout.layers === 1 &&
    layout.cols % 4 === 0 &&
    layout.width * layout.rowSpan === layout.texelsPerRow * layout.fold &&
    layout.rows % layout.fold === 0
  );
}

/** Where row r starts in the texture image (layer-major: layer, then y, then x, then channel). */
function rowOffset(layout: MatrixLayout, r: number): number {
  const layerFloats = layout.width * layout.height * 4;
  const group = Math.floor(r / layout.layers);
  const y = Math.floor(group / layout.fold) * layout.rowSpan;
  const x = (group % layout.fold) * layout.texelsPerRow;
  return (r % layout.layers) * layerFloats + (y * layout.width + x) * 4;
}

/**
 * Packs a row-major matrix `data` (`rows·cols` floats) into the texture image of `layout`
 * (`width·height·4` floats, padding zero). Writes into `out` when given (it must be long enough).
 */
export function packMatrix(layout: MatrixLayout, data: ArrayLike<number>, out?: Float32Array): Float32Array {
  const { rows, cols } = layout;
  if (data.length !== rows * cols) {
    throw new ConvConfigError('data', `data must hold rows·cols = ${rows * cols} floats for a ${rows}×${cols} matrix, got ${data.length}`);
  }
  const image = out ?? new Float32Array(texelFloats(layout));
  if (image.length < texelFloats(layout)) {
    throw new ConvConfigError('out', `out must hold at least ${texelFloats(layout)} floats, got ${image.length}`);
  }
  image.fill(0, 0, texelFloats(layout));
  for (let r = 0; r < rows; r++) {
    const src = r * cols;
    const dst = rowOffset(layout, r);
    for (let c = 0; c < cols; c++) image[dst + c] = data[src + c];
  }
  return image;
}

/** The inverse of packMatrix: the row-major `[rows, cols]` matrix held in a texture image. */
export function unpackMatrix(layout: MatrixLayout, image: Float32Array, out?: Float32Array): Float32Array {
  const { rows, cols } = layout;
  const data = out ?? new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const src = rowOffset(layout, r);
    const dst = r * cols;
    for (let c = 0; c < cols; c++) data[dst + c] = image[src + c];
  }
  return data;
}
