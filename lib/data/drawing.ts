import { ConvConfigError, describeValue } from '../errors.ts';
import { MNIST_SIDE } from './mnist-files.ts';

/** The side of the box the ink is scaled into, as in MNIST: the digit's longer side becomes 20 px. */
export const DRAWING_BOX = 20;

/** Ink below this (alpha / 255) counts as blank when finding the bounding box (stray anti-aliasing). */
export const INK_THRESHOLD = 0.02;

/**
 * The ink of one RGBA pixel: its alpha in [0, 1]. A drawing pad draws opaque strokes (in any colour,
 * so the pad can follow the page's colour scheme) on a transparent canvas; anti-aliased edges are
 * partly transparent and count as partial ink.
 */
function inkAt(rgba: Uint8ClampedArray, k: number): number {
  return rgba[4 * k + 3] / 255;
}

/**
 * Area-averaging resample of the crop `[x0, x0+bw) × [y0, y0+bh)` of the `width`-wide ink map
 * into `tw × th` pixels: each target pixel is the mean ink over the source rectangle it covers,
 * partial source pixels weighted by the overlap.
 */
function resampleArea(
  ink: Float32Array,
  width: number,
  x0: number,
  y0: number,
  bw: number,
  bh: number,
  tw: number,
  th: number,
): Float32Array {
  const out = new Float32Array(tw * th);
  const sx = bw / tw;
  const sy = bh / th;
  for (let ty = 0; ty < th; ty++) {
    const ya = ty * sy;
    const yb = (ty + 1) * sy;
    for (let tx = 0; tx < tw; tx++) {
      const xa = tx * sx;
      const xb = (tx + 1) * sx;
      let sum = 0;
      for (let y = Math.floor(ya); y < Math.min(bh, Math.ceil(yb)); y++) {
        const wy = Math.min(yb, y + 1) - Math.max(ya, y);
        if (wy <= 0) continue;
        const row = (y0 + y) * width + x0;
        for (let x = Math.floor(xa); x < Math.min(bw, Math.ceil(xb)); x++) {
          const wx = Math.min(xb, x + 1) - Math.max(xa, x);
          if (wx > 0) sum += wx * wy * ink[row + x];
        }
      }
      out[ty * tw + tx] = sum / (sx * sy);
    }
  }
  return out;
}

/**
 * Turns a drawing into an MNIST-style input, the way the MNIST digits were prepared: the ink's
 * bounding box is scaled (area averaging, aspect ratio kept) so its longer side is 20 px, then
 * pasted into a 28×28 image shifted by whole pixels so that its centre of mass sits at the centre
 * (14, 14) (pixel centres at k + ½); ink pushed past the border is dropped. Values are scaled so
 * the strongest pixel is 1, all in [0, 1].
 *
 * `rgba` is the canvas's `ImageData.data` (`width·height·4` bytes, row-major); ink is the alpha
 * channel (see `inkAt`). Returns the 784 floats (row-major `[28, 28]`, ready as one `[1, 1, 28, 28]`
 * example), or null when nothing is drawn.
 */
export function preprocessDrawing(rgba: Uint8ClampedArray, width: number, height: number): Float32Array | null {
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 8192) {
      throw new ConvConfigError(name, `${name} must be an integer in [1, 8192], got ${describeValue(v)}`);
    }
  }
  if (!(rgba instanceof Uint8ClampedArray) || rgba.length !== width * height * 4) {
    throw new ConvConfigError(
      'rgba',
      `rgba must be a Uint8ClampedArray of width·height·4 = ${width * height * 4} bytes, got ${
        rgba instanceof Uint8ClampedArray ? `${rgba.length} bytes` : describeValue(rgba)
      }`,
    );
  }
  const ink = new Float32Array(width * height);
  let minX = width;
  let minY = height;
  let maxX = -1;
  let maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = y * width + x;
      const v = inkAt(rgba, k);
      ink[k] = v;
      if (v > INK_THRESHOLD) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  if (maxX < 0) return null;

  const bw = maxX - minX + 1;
  const bh = maxY - minY + 1;
  const scale = DRAWING_BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.min(DRAWING_BOX, Math.round(bw * scale)));
  const th = Math.max(1, Math.min(DRAWING_BOX, Math.round(bh * scale)));
  const box = resampleArea(ink, width, minX, minY, bw, bh, tw, th);

  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = box[y * tw + x];
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  if (mass <= 0) return null;
  const centre = MNIST_SIDE / 2;
  const dx = Math.round(centre - mx / mass);
  const dy = Math.round(centre - my / mass);

  const out = new Float32Array(MNIST_SIDE * MNIST_SIDE);
  let peak = 0;
  for (let y = 0; y < th; y++) {
    const oy = y + dy;
    if (oy < 0 || oy >= MNIST_SIDE) continue;
    for (let x = 0; x < tw; x++) {
      const ox = x + dx;
      if (ox < 0 || ox >= MNIST_SIDE) continue;
      const v = box[y * tw + x];
      out[oy * MNIST_SIDE + ox] = v;
      if (v > peak) peak = v;
    }
  }
  if (peak <= 0) return null;
  for (let k = 0; k < out.length; k++) out[k] = Math.min(1, out[k] / peak);
  return out;
}
