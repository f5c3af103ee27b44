import { ConvConfigError } from '../errors.ts';
import { maybeGunzip, isGzip, asBytes } from './gunzip.ts';
import { idxLengthFromHead, parseIdxImages, parseIdxLabels } from './idx.ts';
import type { IdxImages, IdxLabels } from './idx.ts';
import { MnistDataError, MNIST_REMEDY, formatCount } from './mnist-error.ts';
import { MNIST_FILES, MNIST_SIDE, mnistFile } from './mnist-files.ts';
import type { MnistFileKey } from './mnist-files.ts';

/**
 * A set of MNIST digits. `images` is `[count, 28, 28]` row-major, raw pixel values 0..255
 * (`normalizeImages` / `imageBatch` scale them to [0, 1]); `labels[i]` is the digit 0..9 of image i.
 * Both may be views into a larger buffer (see `splitDataset`).
 */
export interface MnistDataset {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: 28;
  readonly cols: 28;
}

/** The two standard splits: 60,000 training and 10,000 test digits for the published files. */
export interface MnistData {
  readonly train: MnistDataset;
  readonly test: MnistDataset;
}

/** The four files' contents, gzip-compressed (as published) or already unpacked IDX. */
export type MnistBuffers = Record<MnistFileKey, ArrayBuffer | Uint8Array>;

/** Pixels per image: 28·28 = 784. */
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;

/**
 * Unpacking bounded by the IDX header: gunzip stops once the output passes the length the header
 * declares, or MAX_UNPACKED_BYTES (the largest MNIST file) before the header is read.
 */
const IDX_LIMIT = { boundFromHead: idxLengthFromHead, boundName: 'the length its IDX header describes' };

/** Unpacks (when gzip, bounded by its IDX header) and parses an IDX image file; `file` names it in error messages. */
export async function decodeIdxImages(data: ArrayBuffer | Uint8Array, file: string): Promise<IdxImages> {
  const bytes = asBytes(data);
  return parseIdxImages(await maybeGunzip(bytes, file, IDX_LIMIT), { file, gunzipped: isGzip(bytes) });
}

/** Unpacks (when gzip, bounded by its IDX header) and parses an IDX label file; `file` names it in error messages. */
export async function decodeIdxLabels(data: ArrayBuffer | Uint8Array, file: string): Promise<IdxLabels> {
  const bytes = asBytes(data);
  return parseIdxLabels(await maybeGunzip(bytes, file, IDX_LIMIT), { file, gunzipped: isGzip(bytes) });
}

/**
 * Pairs parsed images and labels into a dataset, checking the images are 28×28 and that both files
 * hold the same number of digits (MnistDataError `bad-shape` / `count-mismatch` otherwise).
 */
export function pairImagesAndLabels(images: IdxImages, labels: IdxLabels, names: { images: string; labels: string }): MnistDataset {
  if (images.rows !== MNIST_SIDE || images.cols !== MNIST_SIDE) {
    throw new MnistDataError(
      names.images,
      'bad-shape',
      `${names.images} holds ${images.rows}×${images.cols} images; MNIST digits are 28×28. ${MNIST_REMEDY}`,
    );
  }
  if (images.count !== labels.count) {
    throw new MnistDataError(
      names.labels,
      'count-mismatch',
      `${names.images} holds ${formatCount(images.count)} images but ${names.labels} holds ${formatCount(labels.count)} labels; ` +
        `the two files must come from the same split. ${MNIST_REMEDY}`,
    );
  }
  return { images: images.pixels, labels: labels.labels, count: images.count, rows: MNIST_SIDE, cols: MNIST_SIDE };
}

/**
 * Loads one split from its image and label files (gzip or unpacked IDX). `split` picks the
 * standard file names used in error messages.
 */
export async function loadMnistSplit(
  images: ArrayBuffer | Uint8Array,
  labels: ArrayBuffer | Uint8Array,
  split: 'train' | 'test',
): Promise<MnistDataset> {
  const names = {
    images: mnistFile(split === 'train' ? 'trainImages' : 'testImages').fileName,
    labels: mnistFile(split === 'train' ? 'trainLabels' : 'testLabels').fileName,
  };
  const [img, lab] = await Promise.all([decodeIdxImages(images, names.images), decodeIdxLabels(labels, names.labels)]);
  return pairImagesAndLabels(img, lab, names);
}

/**
 * Loads the four standard files (gzip as published, or already unpacked) into the train and test
 * datasets. Every file is checked (header, counts, exact length, labels 0..9); a bad one throws
 * MnistDataError naming the file and what to do.
 */
export async function loadMnistFromBuffers(buffers: MnistBuffers): Promise<MnistData> {
  const [train, test] = await Promise.all([
    loadMnistSplit(buffers.trainImages, buffers.trainLabels, 'train'),
    loadMnistSplit(buffers.testImages, buffers.testLabels, 'test'),
  ]);
  return { train, test };
}

/**
 * Fetches the four standard files from `baseUrl` (a folder URL, e.g. `/data/mnist/`, where
 * `npm run data` puts them under site/public) and loads them. A missing file throws MnistDataError
 * `download` naming the URL and the status.
 */
export async function loadMnistFromUrl(
  baseUrl: string | URL,
  options: { fetch?: typeof fetch; signal?: AbortSignal } = {},
): Promise<MnistData> {
  const doFetch = options.fetch ?? fetch;
  const base = String(baseUrl).endsWith('/') ? String(baseUrl) : `${String(baseUrl)}/`;
  const entries = await Promise.all(
    MNIST_FILES.map(async (spec) => {
      const url = `${base}${spec.fileName}`;
      let response: Response;
      try {
        response = await doFetch(url, { signal: options.signal });
      } catch (error) {
        throw new MnistDataError(
          spec.fileName,
          'download',
          `Could not load ${url} (${error instanceof Error ? error.message : String(error)}). Run \`npm run data\`, or pick the four files from the MNIST site.`,
        );
      }
      if (!response.ok) {
        throw new MnistDataError(
          spec.fileName,
          'download',
          `Could not load ${url} (HTTP ${response.status}). Run \`npm run data\` to put the files in site/public/data/mnist/, or pick the four files from the MNIST site.`,
        );
      }
      return [spec.key, new Uint8Array(await response.arrayBuffer())] as const;
    }),
  );
  return loadMnistFromBuffers(Object.fromEntries(entries) as MnistBuffers);
}

/**
 * Splits a dataset at digit `at` into `[first at digits, the rest]`. The halves are views into the
 * same buffers (no copy). `at` must be an integer in [0, count].
 */
export function splitDataset(ds: MnistDataset, at: number): [MnistDataset, MnistDataset] {
  if (!Number.isInteger(at) || at < 0 || at > ds.count) {
    throw new ConvConfigError('at', `at must be an integer in [0, ${ds.count}], got ${at}`);
  }
  const px = MNIST_PIXELS;
  const part = (from: number, to: number): MnistDataset => ({
    images: ds.images.subarray(from * px, to * px),
    labels: ds.labels.subarray(from, to),
    count: to - from,
    rows: MNIST_SIDE,
    cols: MNIST_SIDE,
  });
  return [part(0, at), part(at, ds.count)];
}

/**
 * Scales raw pixels 0..255 to [0, 1] (`v / 255`), element by element, into `out` (allocated when
 * omitted; same length as `pixels`).
 */
export function normalizeImages(pixels: Uint8Array, out: Float32Array = new Float32Array(pixels.length)): Float32Array {
  if (out.length !== pixels.length) {
    throw new ConvConfigError('out', `out must have length ${pixels.length} (one float per pixel), got ${out.length}`);
  }
  for (let k = 0; k < pixels.length; k++) out[k] = pixels[k] / 255;
  return out;
}

/**
 * Gathers the images at `indices` into an NCHW batch `[B, 1, 28, 28]` scaled to [0, 1], and their
 * labels: `{ x: Float32Array(B·784), y: Uint8Array(B) }`. Each index must be an integer in
 * [0, count).
 */
export function imageBatch(ds: MnistDataset, indices: ArrayLike<number>): { x: Float32Array; y: Uint8Array } {
  const px = MNIST_PIXELS;
  const x = new Float32Array(indices.length * px);
  const y = new Uint8Array(indices.length);
  for (let b = 0; b < indices.length; b++) {
    const i = indices[b];
    if (!Number.isInteger(i) || i < 0 || i >= ds.count) {
      throw new ConvConfigError('indices', `indices must be integers in [0, ${ds.count - 1}], got ${i} at position ${b}`);
    }
    const src = i * px;
    const dst = b * px;
    for (let k = 0; k < px; k++) x[dst + k] = ds.images[src + k] / 255;
    y[b] = ds.labels[i];
  }
  return { x, y };
}
