import { describe, it, expect } from 'vitest';
import { isDenseLayout, matrixLayout, packMatrix, texelFloats, unpackMatrix } from '../../lib/webgl/layout.ts';
import { ConvConfigError } from '../../lib/errors.ts';

describe('matrixLayout', () => {
  it('puts 4 columns in a texel and one matrix row in one texture row when it fits', () => {
    expect(matrixLayout(3, 10, 8192)).toEqual({
      rows: 3,
      cols: 10,
      layers: 1,
      texelsPerRow: 3,
      rowSpan: 1,
      fold: 1,
      width: 3,
      height: 3,
      wrapped: false,
      folded: false,
    });
  });

  it('wraps a row wider than the limit over evenly filled texture rows', () => {
    // 1×50176 (a batch of 64 MNIST digits): 12544 texels over a 8192 limit → 2 rows of 6272.
    expect(matrixLayout(1, 64 * 784, 8192)).toEqual({
      rows: 1,
      cols: 50176,
      layers: 1,
      texelsPerRow: 12544,
      rowSpan: 2,
      fold: 1,
      width: 6272,
      height: 2,
      wrapped: true,
      folded: false,
    });
    // 38 texels over a limit of 16 → 3 rows of 13 texels (one padding texel at the end).
    expect(matrixLayout(5, 150, 16)).toMatchObject({ texelsPerRow: 38, rowSpan: 3, width: 13, height: 15 });
  });

  it('deals rows over 4 layers: row r in layer r mod 4, so the texture is a quarter as tall', () => {
    expect(matrixLayout(10, 8, 16, 4)).toMatchObject({ layers: 4, height: 3, width: 2 });
    expect(matrixLayout(2048, 8, 512, 4)).toMatchObject({ height: 512 });
    expect(() => matrixLayout(2, 8, 16, 2)).toThrow('layers must be 1, 4 or 8, got 2');
  });

  it('deals rows over 8 layers for the 8-row GEMM kernel: an eighth as tall', () => {
    expect(matrixLayout(10, 8, 16, 8)).toMatchObject({ layers: 8, height: 2, width: 2 });
    expect(matrixLayout(4096, 8, 512, 8)).toMatchObject({ height: 512 });
    // 513 row groups fold two to a texture row.
    expect(matrixLayout(4097, 8, 512, 8)).toMatchObject({ fold: 2, width: 4, height: 257, folded: true });
  });

  it('folds more rows than the limit side by side: a flattened 16×28×28 activation [12544, 64] on 8192', () => {
    // 16 texels a row, 12544 rows → 2 rows per texture row, 6272 texture rows of 32 texels.
    expect(matrixLayout(12544, 64, 8192)).toEqual({
      rows: 12544,
      cols: 64,
      layers: 1,
      texelsPerRow: 16,
      rowSpan: 1,
      fold: 2,
      width: 32,
      height: 6272,
      wrapped: false,
      folded: true,
    });
    expect(matrixLayout(2048, 8, 1024)).toMatchObject({ fold: 2, width: 4, height: 1024 });
    expect(matrixLayout(2049, 8, 1024)).toMatchObject({ fold: 3, width: 6, height: 683 });
  });

  it('throws ConvConfigError naming the size and the limit when the rows do not fit', () => {
    expect(() => matrixLayout(9, 301, 16)).toThrow(ConvConfigError);
    expect(() => matrixLayout(9, 301, 16)).toThrow(
      "a 9×301 matrix needs 45 texture rows (5 per matrix row), more than the device's limit of 16",
    );
    // Folding would need 17 rows of 8 texels side by side: 136 > 16 texels.
    expect(() => matrixLayout(17 * 16, 32, 16)).toThrow(
      "a 272×32 matrix needs 272 texture rows, or 136 texels a row when folded, more than the device's limit of 16",
    );
  });

  it('rejects sizes that are not positive integers', () => {
    expect(() => matrixLayout(0, 4, 16)).toThrow('rows must be a positive integer, got 0');
    expect(() => matrixLayout(2, 1.5, 16)).toThrow('cols must be a positive integer, got 1.5');
    expect(() => matrixLayout(2, 4, Number.NaN)).toThrow('maxTextureSize must be a positive integer, got NaN');
  });
});

describe('packMatrix and unpackMatrix', () => {
  it('place texel t of folded row r at x = (r mod fold)·texelsPerRow + t, y = floor(r / fold), and round-trip', () => {
    const layout = matrixLayout(7, 6, 4); // 2 texels a row, 7 rows over 4 texture rows → fold 2
    expect(layout).toMatchObject({ fold: 2, width: 4, height: 4, folded: true });
    const data = Array.from({ length: 42 }, (_, k) => k + 1);
    const image = packMatrix(layout, data);
    const texel = (x: number, y: number) => Array.from(image.subarray((y * layout.width + x) * 4, (y * layout.width + x) * 4 + 4));
    for (let r = 0; r < 7; r++) {
      const x = (r % 2) * 2;
      const y = Math.floor(r / 2);
      expect(texel(x, y)).toEqual(data.slice(r * 6, r * 6 + 4));
      expect(texel(x + 1, y)).toEqual([...data.slice(r * 6 + 4, r * 6 + 6), 0, 0]);
    }
    expect(texel(2, 3)).toEqual([0, 0, 0, 0]); // the padding group after row 6
    expect(Array.from(unpackMatrix(layout, image))).toEqual(data);
    expect(isDenseLayout(layout)).toBe(false);
    expect(isDenseLayout(matrixLayout(8, 8, 4))).toBe(true); // 8 rows fold evenly: row-major memory as is
  });

  it('lay out a 2×5 matrix as 2 texels per row with zero padding lanes', () => {
    const layout = matrixLayout(2, 5, 16);
    const image = packMatrix(layout, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Array.from(image)).toEqual([1, 2, 3, 4, 5, 0, 0, 0, 6, 7, 8, 9, 10, 0, 0, 0]);
    expect(Array.from(unpackMatrix(layout, image))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('place texel t of a wrapped row at x = t mod width, y = r·rowSpan + floor(t / width)', () => {
    const layout = matrixLayout(2, 28, 4); // 7 texels per row, 2 texture rows of 4 texels each
    expect(layout).toMatchObject({ rowSpan: 2, width: 4, height: 4, wrapped: true });
    const data = Array.from({ length: 56 }, (_, k) => k + 1);
    const image = packMatrix(layout, data);
    expect(image.length).toBe(texelFloats(layout));
    const texel = (x: number, y: number) => Array.from(image.subarray((y * layout.width + x) * 4, (y * layout.width + x) * 4 + 4));
    for (let r = 0; r < 2; r++) {
      for (let t = 0; t < 7; t++) {
        const expected = data.slice(r * 28 + 4 * t, r * 28 + 4 * t + 4);
        expect(texel(t % layout.width, r * layout.rowSpan + Math.floor(t / layout.width))).toEqual(expected);
      }
      expect(texel(3, r * 2 + 1)).toEqual([0, 0, 0, 0]); // the padding texel
    }
    expect(Array.from(unpackMatrix(layout, image))).toEqual(data);
  });

  // rows: 2 row groups of 1 texel each, the second one partly empty.
  it.each([
    { layers: 4, rows: 6 },
    { layers: 8, rows: 11 },
  ])('put row r of a $layers-layer matrix in layer r mod $layers at row group floor(r / $layers)', ({ layers, rows }) => {
    const layout = matrixLayout(rows, 4, 16, layers);
    const data = Array.from({ length: rows * 4 }, (_, k) => k + 1);
    const image = packMatrix(layout, data);
    expect(image.length).toBe(layers * 2 * 4);
    const texel = (layer: number, group: number) => Array.from(image.subarray((layer * 2 + group) * 4, (layer * 2 + group) * 4 + 4));
    for (let r = 0; r < rows; r++) expect(texel(r % layers, Math.floor(r / layers))).toEqual(data.slice(4 * r, 4 * r + 4));
    expect(texel(rows - layers, 1)).toEqual([0, 0, 0, 0]); // the first row past the end does not exist
    expect(Array.from(unpackMatrix(layout, image))).toEqual(data);
    expect(isDenseLayout(layout)).toBe(false);
  });

  it('calls a layout dense only when the row-major array is already the texture image', () => {
    expect(isDenseLayout(matrixLayout(3, 8, 16))).toBe(true);
    expect(isDenseLayout(matrixLayout(3, 10, 16))).toBe(false);
    expect(isDenseLayout(matrixLayout(1, 64 * 784, 8192))).toBe(true);
    expect(isDenseLayout(matrixLayout(5, 152, 16))).toBe(false); // 38 texels in 3 rows of 13
    const layout = matrixLayout(1, 32, 4); // 8 texels in 2 full texture rows of 4
    expect(isDenseLayout(layout)).toBe(true);
    const data = Float32Array.from({ length: 32 }, (_, k) => k);
    expect(Array.from(packMatrix(layout, data))).toEqual(Array.from(data));
  });

  it('rejects data of the wrong length', () => {
    expect(() => packMatrix(matrixLayout(2, 3, 16), [1, 2, 3])).toThrow('data must hold rows·cols = 6 floats for a 2×3 matrix, got 3');
  });
});
