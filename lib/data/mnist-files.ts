/**
 * The four standard MNIST files (LeCun, Cortes & Burges), as published in gzip-compressed IDX.
 *
 * Checksums: the SHA-256 sums below are those of the original .gz files, the ones that
 * torchvision's and TensorFlow Datasets' MNIST loaders check against and that the public mirrors
 * (the ossci-datasets S3 bucket, the CVDF Google Cloud bucket) serve. The two test-file sums were
 * also recomputed here from copies of the files; the two training-file sums come from those
 * published lists (several independent projects record the same values). Every file is also
 * unpacked and its IDX header, counts and length are checked, so a wrong or damaged file is caught
 * even where a mirror serves different bytes.
 */
export type MnistFileKey = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

/** One of the four files: its name, what it holds and the sizes and checksum of the published copy. */
export interface MnistFileSpec {
  readonly key: MnistFileKey;
  /** The standard file name, e.g. `train-images-idx3-ubyte.gz`. */
  readonly fileName: string;
  readonly kind: 'images' | 'labels';
  readonly split: 'train' | 'test';
  /** Number of digits in the file (60,000 train, 10,000 test); null when not fixed. */
  readonly count: number | null;
  /** Size of the .gz file in bytes; null when not known. */
  readonly gzipBytes: number | null;
  /** Lower-case hex SHA-256 of the .gz file; null when not known. */
  readonly sha256: string | null;
}

/** The four files, in the order train images, train labels, test images, test labels. */
export const MNIST_FILES: readonly MnistFileSpec[] = [
  {
    key: 'trainImages',
    fileName: 'train-images-idx3-ubyte.gz',
    kind: 'images',
    split: 'train',
    count: 60_000,
    gzipBytes: 9_912_422,
    sha256: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
  },
  {
    key: 'trainLabels',
    fileName: 'train-labels-idx1-ubyte.gz',
    kind: 'labels',
    split: 'train',
    count: 60_000,
    gzipBytes: 28_881,
    sha256: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
  },
  {
    key: 'testImages',
    fileName: 't10k-images-idx3-ubyte.gz',
    kind: 'images',
    split: 'test',
    count: 10_000,
    gzipBytes: 1_648_877,
    sha256: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
  },
  {
    key: 'testLabels',
    fileName: 't10k-labels-idx1-ubyte.gz',
    kind: 'labels',
    split: 'test',
    count: 10_000,
    gzipBytes: 4_542,
    sha256: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
  },
];

/** The spec of one file by key. */
export function mnistFile(key: MnistFileKey): MnistFileSpec {
  const spec = MNIST_FILES.find((f) => f.key === key);
  if (!spec) throw new Error(`unknown MNIST file key ${key}`);
  return spec;
}

/** Image side length of every MNIST digit: 28×28 pixels. */
export const MNIST_SIDE = 28;

/**
 * Guesses which of the four files a name refers to, tolerating the usual renamings
 * (`train-images.idx3-ubyte`, `t10k-labels-idx1-ubyte`, `test_images.gz`); null when it can't tell.
 * Used where a reader picks the files by hand.
 */
export function identifyMnistFileName(name: string): MnistFileKey | null {
  const base = name.toLowerCase().replace(/^.*[\\/]/, '');
  const split = /^(train)/.test(base) ? 'train' : /^(t10k|test)/.test(base) ? 'test' : null;
  const kind = /images|idx3/.test(base) ? 'images' : /labels|idx1/.test(base) ? 'labels' : null;
  if (!split || !kind) return null;
  return `${split}${kind === 'images' ? 'Images' : 'Labels'}` as MnistFileKey;
}
