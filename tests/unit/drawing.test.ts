import { describe, it, expect } from 'vitest';
import { preprocessDrawing } from '../../lib/data/drawing.ts';
import { ConvConfigError } from '../../lib/errors.ts';

/** A transparent w×h canvas with opaque ink (alpha 255) where `inked(x, y)` holds. */
function canvas(w: number, h: number, inked: (x: number, y: number) => boolean): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (inked(x, y)) rgba.set([20, 20, 20, 255], 4 * (y * w + x));
    }
  }
  return rgba;
}

/** The rows and columns of a 28×28 image holding ink above `t`. */
function extent(img: Float32Array, t = 0.5) {
  let x0 = 28,
    y0 = 28,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (img[y * 28 + x] > t) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { x0, x1, y0, y1 };
}

/** Centre of mass with pixel centres at k + ½ (hand formula, independent of the code under test). */
function centreOfMass(img: Float32Array): [number, number] {
  let m = 0,
    sx = 0,
    sy = 0;
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const v = img[y * 28 + x];
      m += v;
      sx += v * (x + 0.5);
      sy += v * (y + 0.5);
    }
  return [sx / m, sy / m];
}

describe('preprocessDrawing', () => {
  it('returns null for a blank pad', () => {
    expect(preprocessDrawing(new Uint8ClampedArray(50 * 40 * 4), 50, 40)).toBeNull();
  });

  it('ignores colour: only the alpha channel is ink (white paint on a transparent pad is blank)', () => {
    const rgba = new Uint8ClampedArray(10 * 10 * 4).fill(255);
    for (let k = 3; k < rgba.length; k += 4) rgba[k] = 0;
    expect(preprocessDrawing(rgba, 10, 10)).toBeNull();
  });

  it('a centred 20×20 square on a 100×100 pad fills rows and columns 4..23 with ones', () => {
    const img = preprocessDrawing(
      canvas(100, 100, (x, y) => x >= 40 && x < 60 && y >= 40 && y < 60),
      100,
      100,
    )!;
    expect(img).toHaveLength(784);
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const inside = x >= 4 && x < 24 && y >= 4 && y < 24;
        expect(img[y * 28 + x]).toBeCloseTo(inside ? 1 : 0, 6);
      }
    }
  });

  it('a 40×40 square scales down by 2 (area averaging) to the same 20×20 block', () => {
    const img = preprocessDrawing(
      canvas(200, 120, (x, y) => x >= 10 && x < 50 && y >= 70 && y < 110),
      200,
      120,
    )!;
    expect(extent(img)).toEqual({ x0: 4, x1: 23, y0: 4, y1: 23 });
    expect(img[4 * 28 + 4]).toBeCloseTo(1, 6);
    expect(img[3 * 28 + 4]).toBe(0);
  });

  it('an off-centre blob lands at the centre: the same square in a corner gives the same image', () => {
    const centred = preprocessDrawing(
      canvas(100, 100, (x, y) => x >= 40 && x < 60 && y >= 40 && y < 60),
      100,
      100,
    )!;
    const corner = preprocessDrawing(
      canvas(100, 100, (x, y) => x < 20 && y >= 80),
      100,
      100,
    )!;
    expect(Array.from(corner)).toEqual(Array.from(centred));
  });

  it('keeps the aspect ratio: a 20×40 bar becomes 10×20, columns 9..18 and rows 4..23', () => {
    const img = preprocessDrawing(
      canvas(120, 120, (x, y) => x >= 30 && x < 50 && y >= 50 && y < 90),
      120,
      120,
    )!;
    expect(extent(img)).toEqual({ x0: 9, x1: 18, y0: 4, y1: 23 });
    expect(centreOfMass(img)).toEqual([14, 14]);
  });

  it('a wide bar keeps its aspect ratio too: 60×15 becomes 20×5', () => {
    const img = preprocessDrawing(
      canvas(100, 100, (x, y) => x >= 20 && x < 80 && y >= 10 && y < 25),
      100,
      100,
    )!;
    const e = extent(img);
    expect(e.x1 - e.x0 + 1).toBe(20);
    expect(e.y1 - e.y0 + 1).toBe(5);
  });

  it('centres the mass, not the bounding box: an L shape moves toward its heavy corner', () => {
    // A 40×40 L: a 10-wide vertical bar on the left and a 10-tall foot along the bottom.
    // Scaled by ½ into 20×20: bar columns 0..4, foot rows 15..19. Mass: 5·20 + 15·5 = 175 pixels;
    // x̄ = (100·2.5 + 75·12.5)/175 = 6.786, ȳ = (100·10 + 75·17.5)/175 = 13.214 (box coordinates),
    // so the shift is round(14 − 6.786) = 7 across and round(14 − 13.214) = 1 down.
    const L = canvas(80, 80, (x, y) => x >= 20 && x < 60 && y >= 20 && y < 60 && (x < 30 || y >= 50));
    const img = preprocessDrawing(L, 80, 80)!;
    expect(extent(img)).toEqual({ x0: 7, x1: 26, y0: 1, y1: 20 });
    const [cx, cy] = centreOfMass(img);
    expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5);
    // The bounding box alone would have centred it at columns and rows 4..23.
    expect(img[4 * 28 + 4]).toBe(0);
  });

  it('treats partial alpha as partial ink and scales the strongest pixel to 1', () => {
    const rgba = canvas(40, 40, (x, y) => x >= 10 && x < 30 && y >= 10 && y < 30);
    for (let k = 3; k < rgba.length; k += 4) if (rgba[k]) rgba[k] = 128;
    const img = preprocessDrawing(rgba, 40, 40)!;
    expect(Math.max(...img)).toBeCloseTo(1, 6);
    expect(Math.min(...img)).toBe(0);
  });

  it('keeps a single dot: one pixel becomes the whole 20×20 box', () => {
    const img = preprocessDrawing(
      canvas(30, 30, (x, y) => x === 7 && y === 21),
      30,
      30,
    )!;
    expect(extent(img)).toEqual({ x0: 4, x1: 23, y0: 4, y1: 23 });
  });

  it('values stay within [0, 1] for an anti-aliased stroke', () => {
    const rgba = new Uint8ClampedArray(64 * 64 * 4);
    for (let y = 0; y < 64; y++)
      for (let x = 0; x < 64; x++) {
        const d = Math.abs(x - y);
        rgba[4 * (y * 64 + x) + 3] = d < 3 ? 255 - d * 80 : 0;
      }
    const img = preprocessDrawing(rgba, 64, 64)!;
    expect(img.every((v) => v >= 0 && v <= 1)).toBe(true);
    const [cx, cy] = centreOfMass(img);
    expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5);
  });

  it('rejects sizes that do not match the buffer, naming the parameter', () => {
    expect(() => preprocessDrawing(new Uint8ClampedArray(10), 2, 2)).toThrow(ConvConfigError);
    expect(() => preprocessDrawing(new Uint8ClampedArray(10), 2, 2)).toThrow(/rgba must be .* 16 bytes, got 10 bytes/);
    expect(() => preprocessDrawing(new Uint8ClampedArray(0), 0, 5)).toThrow(/width must be an integer in \[1, 8192\], got 0/);
    expect(() => preprocessDrawing(new Uint8ClampedArray(4), 1, 1.5)).toThrow(/height/);
  });
});
