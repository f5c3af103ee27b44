import { describe, it, expect, beforeAll } from 'vitest';
import {
  MAX_UNPACKED_BYTES,
  MnistDataError,
  decodeIdxImages,
  decodeIdxLabels,
  encodeIdxImages,
  encodeIdxLabels,
  gunzip,
  idxLengthFromHead,
} from '../../lib/data/index.ts';
import { gzipBomb, idxLabelsHeader } from '../e2e/fixtures/gzip-bomb.ts';

/**
 * Bounded unpacking: a gzip bomb (a small file inflating to gigabytes) is refused as soon as the
 * output passes what the file's IDX header declares, or the largest MNIST file before a header is
 * read, quickly and naming the file and the limit.
 */

const GiB = 1024 ** 3;

/** The rejection of `promise` and how long it took, asserted to be an MnistDataError. */
async function timedRefusal(promise: () => Promise<unknown>): Promise<{ error: MnistDataError; ms: number }> {
  const t0 = performance.now();
  const error = await promise().then(
    () => null,
    (e: unknown) => e,
  );
  const ms = performance.now() - t0;
  expect(error).toBeInstanceOf(MnistDataError);
  return { error: error as MnistDataError, ms };
}

describe('gzip bombs', () => {
  let labelsBomb: Uint8Array;
  beforeAll(async () => {
    // 60,000 labels declared (60,008 bytes), then 1 GiB of zero labels: about 1 MB of gzip.
    labelsBomb = await gzipBomb(idxLabelsHeader(60_000), GiB);
  }, 60_000);

  it('the labels bomb is about 1 MB of gzip for 1 GiB of output', () => {
    expect(labelsBomb.length).toBeGreaterThan(900_000);
    expect(labelsBomb.length).toBeLessThan(1_200_000);
  });

  it('1 MB → 1 GiB of labels is refused within a second, naming the file and the header’s 60,008 bytes', async () => {
    const { error, ms } = await timedRefusal(() => decodeIdxLabels(labelsBomb, 'train-labels-idx1-ubyte.gz'));
    expect(error.problem).toBe('too-long');
    expect(error.file).toBe('train-labels-idx1-ubyte.gz');
    expect(error.message).toContain('train-labels-idx1-ubyte.gz unpacks to more than 60,008 bytes, the length its IDX header describes');
    expect(ms).toBeLessThan(1000);
  });

  it('without a header bound, gunzip stops past the largest MNIST file (47,040,016 bytes)', async () => {
    expect(MAX_UNPACKED_BYTES).toBe(16 + 60_000 * 784);
    const { error, ms } = await timedRefusal(() => gunzip(labelsBomb, 'bomb.gz'));
    expect(error.problem).toBe('too-long');
    expect(error.message).toContain('bomb.gz unpacks to more than 47,040,016 bytes, the size of the largest MNIST file');
    expect(ms).toBeLessThan(2000);
  });

  it('a header declaring more than the largest MNIST file is refused at its first bytes', async () => {
    // Labels header claiming 2³²−1 labels, then 64 MB of zeros.
    const head = idxLabelsHeader(1);
    head.set([0xff, 0xff, 0xff, 0xff], 4);
    const big = await gzipBomb(head, 64 * 1024 * 1024);
    const { error, ms } = await timedRefusal(() => decodeIdxLabels(big, 't10k-labels-idx1-ubyte.gz'));
    expect(error.problem).toBe('too-long');
    expect(error.message).toContain('t10k-labels-idx1-ubyte.gz has a header describing 4,294,967,303 bytes, more than 47,040,016 bytes');
    expect(ms).toBeLessThan(1000);
  });

  it('an images header with three 2³²−1 dimensions reads 7.92e+28 bytes, not a comma-riddled exponent', async () => {
    const head = encodeIdxImages(new Uint8Array(1), 1, 1, 1).subarray(0, 16).slice();
    head.fill(0xff, 4, 16);
    const big = await gzipBomb(head, 1024);
    const { error } = await timedRefusal(() => decodeIdxImages(big, 'train-images-idx3-ubyte.gz'));
    expect(error.message).toContain('describing 7.92e+28 bytes');
    expect(error.message).not.toMatch(/\d,\d{3},.*e\+/);
  });

  it('a real-sized file unpacks whole: 60,000 labels plus one byte too many is still refused by the header', async () => {
    const labels = Uint8Array.from({ length: 60_000 }, (_, k) => k % 10);
    const good = await gzipBomb(encodeIdxLabels(labels), 0);
    const parsed = await decodeIdxLabels(good, 'train-labels-idx1-ubyte.gz');
    expect(parsed.count).toBe(60_000);
    expect(Array.from(parsed.labels.subarray(0, 12))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1]);
    const oneMore = await gzipBomb(encodeIdxLabels(labels), 1);
    const { error } = await timedRefusal(() => decodeIdxLabels(oneMore, 'train-labels-idx1-ubyte.gz'));
    expect(error.message).toContain('more than 60,008 bytes, the length its IDX header describes');
  });
});

describe('idxLengthFromHead', () => {
  it('needs the whole header, reads header + product of dims, and gives no bound for a non-IDX start', () => {
    const header = encodeIdxImages(new Uint8Array(2 * 3 * 4), 2, 3, 4);
    expect(idxLengthFromHead(header.subarray(0, 3))).toBeNull();
    expect(idxLengthFromHead(header.subarray(0, 15))).toBeNull();
    expect(idxLengthFromHead(header.subarray(0, 16))).toBe(16 + 24);
    expect(idxLengthFromHead(new TextEncoder().encode('<!doctype html>'))).toBe(Number.POSITIVE_INFINITY);
  });
});
