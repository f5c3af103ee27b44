/**
 * The MNIST data layer: IDX parsing and writing, gzip unpacking (the platform's
 * DecompressionStream, so it runs in the browser and in Node), and the datasets. Node-only
 * downloading lives in lib/cli/fetch-mnist.ts.
 */
export type { MnistDataProblem } from './mnist-error.ts';
export { MnistDataError, MNIST_REMEDY, formatCount } from './mnist-error.ts';
export type { GunzipLimit } from './gunzip.ts';
export { GZIP_MAGIC, MAX_UNPACKED_BYTES, isGzip, gunzip, maybeGunzip, asBytes } from './gunzip.ts';
export type { IdxArray, IdxImages, IdxLabels, IdxSource } from './idx.ts';
export {
  IDX_UBYTE,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  describeIdxStart,
  idxLengthFromHead,
  parseIdx,
  parseIdxImages,
  parseIdxLabels,
  encodeIdx,
  encodeIdxImages,
  encodeIdxLabels,
} from './idx.ts';
export type { MnistFileKey, MnistFileSpec } from './mnist-files.ts';
export { MNIST_FILES, MNIST_SIDE, mnistFile, identifyMnistFileName } from './mnist-files.ts';
export type { MnistDataset, MnistData, MnistBuffers } from './mnist.ts';
export {
  MNIST_PIXELS,
  decodeIdxImages,
  decodeIdxLabels,
  pairImagesAndLabels,
  loadMnistSplit,
  loadMnistFromBuffers,
  loadMnistFromUrl,
  splitDataset,
  normalizeImages,
  imageBatch,
} from './mnist.ts';
