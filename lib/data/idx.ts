import { ConvConfigError, describeValue } from '../errors.ts';
import { MnistDataError, MNIST_REMEDY, formatCount } from './mnist-error.ts';

/**
 * IDX, the format of the MNIST files: a big-endian header — two zero bytes, a type code, the
 * number of dimensions d, then d unsigned 32-bit sizes — followed by the data, row-major.
 * MNIST uses type 0x08 (unsigned byte): images have magic 0x00000803 and dims [N, 28, 28],
 * labels have magic 0x00000801 and dims [N].
 */
export const IDX_UBYTE = 0x08;
/** Magic number (first four bytes) of an unsigned-byte IDX file with three dimensions: images. */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number (first four bytes) of an unsigned-byte IDX file with one dimension: labels. */
export const IDX_LABELS_MAGIC = 0x00000801;

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** An unsigned-byte IDX array: its dimensions and its data (a view into the parsed bytes). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Images from an IDX file: `pixels` is `[count, rows, cols]` row-major, values 0..255. */
export interface IdxImages {
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  readonly pixels: Uint8Array;
}

/** Labels from an IDX file: `labels[i]` is the digit (0..9) of image i. */
export interface IdxLabels {
  readonly count: number;
  readonly labels: Uint8Array;
}

/**
 * Where the bytes came from, for error messages: `file` names the file, `gunzipped` says whether
 * the bytes were unpacked from gzip (so lengths read "bytes after gunzip").
 */
export interface IdxSource {
  readonly file?: string;
  readonly gunzipped?: boolean;
}

function hex(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

function readUint32BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function writeUint32BE(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = (value >>> 24) & 0xff;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

/** Says in words what the first bytes of a file look like, for a wrong-magic message. */
export function describeIdxStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'it is empty';
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return 'it is still gzip-compressed';
  const head = String.fromCharCode(...bytes.subarray(0, 64))
    .trimStart()
    .toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'it looks like an HTML page (a download error page?)';
  if (head.startsWith('<?xml') || head.startsWith('<error')) return 'it looks like an XML error message from a server';
  if (bytes.length < 4) return `it is only ${bytes.length} byte${bytes.length === 1 ? '' : 's'} long`;
  const magic = readUint32BE(bytes, 0);
  if (magic === IDX_IMAGES_MAGIC) return 'it is an IDX image file (magic 0x00000803)';
  if (magic === IDX_LABELS_MAGIC) return 'it is an IDX label file (magic 0x00000801)';
  if (bytes[0] === 0 && bytes[1] === 0 && TYPE_NAMES[bytes[2]] !== undefined) {
    return `it is an IDX file of ${TYPE_NAMES[bytes[2]]} values with ${bytes[3]} dimension${bytes[3] === 1 ? '' : 's'} (magic ${hex(magic, 8)})`;
  }
  const first = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it does not start with an IDX header (its first bytes are ${first})`;
}

/**
 * The byte length an IDX file declares in its header (header + product of the dimensions), read
 * from the file's first bytes: null while `head` is shorter than the header, Infinity when `head`
 * does not start like an IDX file (no bound from it; parseIdx then names what it is). gunzip uses
 * it to stop unpacking as soon as the output is longer than the header allows.
 */
export function idxLengthFromHead(head: Uint8Array): number | null {
  if (head.length < 4) return null;
  if (head[0] !== 0 || head[1] !== 0) return Number.POSITIVE_INFINITY;
  const headerBytes = 4 + 4 * head[3];
  if (head.length < headerBytes) return null;
  let size = 1;
  for (let k = 0; k < head[3]; k++) size *= readUint32BE(head, 4 + 4 * k);
  return headerBytes + size;
}

/**
 * Parses an unsigned-byte IDX array and checks it: the two zero bytes, type code 0x08, that the
 * header fits, and that the data length equals the product of the dimensions exactly. Returns the
 * dimensions and a view of the data (no copy). Throws MnistDataError (`bad-magic`, `bad-type`,
 * `truncated`, `too-long`).
 */
export function parseIdx(bytes: Uint8Array, source: IdxSource = {}): IdxArray {
  const file = source.file ?? 'IDX data';
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new MnistDataError(file, 'bad-magic', `${file} is not an IDX file: ${describeIdxStart(bytes)}. ${MNIST_REMEDY}`);
  }
  const type = bytes[2];
  if (type !== IDX_UBYTE) {
    const name = TYPE_NAMES[type] ?? 'an unknown type';
    throw new MnistDataError(
      file,
      'bad-type',
      `${file} holds ${name} values (IDX type ${hex(type, 2)}); MNIST files hold unsigned bytes (type 0x08). ${MNIST_REMEDY}`,
    );
  }
  const rank = bytes[3];
  const headerBytes = 4 + 4 * rank;
  const after = source.gunzipped ? ' after gunzip' : '';
  if (bytes.length < headerBytes) {
    throw new MnistDataError(
      file,
      'truncated',
      `${file} is truncated (its header alone needs ${formatCount(headerBytes)} bytes${after}, got ${formatCount(bytes.length)}). ${MNIST_REMEDY}`,
    );
  }
  const dims: number[] = [];
  let size = 1;
  for (let k = 0; k < rank; k++) {
    const d = readUint32BE(bytes, 4 + 4 * k);
    dims.push(d);
    size *= d;
  }
  const expected = headerBytes + size;
  if (bytes.length < expected) {
    throw new MnistDataError(
      file,
      'truncated',
      `${file} is truncated (expected ${formatCount(expected)} bytes${after}, got ${formatCount(bytes.length)}). ${MNIST_REMEDY}`,
    );
  }
  if (bytes.length > expected) {
    throw new MnistDataError(
      file,
      'too-long',
      `${file} has ${formatCount(bytes.length - expected)} bytes more than its header describes (expected ${formatCount(expected)} bytes${after}, got ${formatCount(bytes.length)}). ${MNIST_REMEDY}`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes, expected) };
}

function expectMagic(bytes: Uint8Array, magic: number, what: string, file: string): void {
  if (bytes.length >= 4 && readUint32BE(bytes, 0) === magic) return;
  const swapped =
    bytes.length >= 4 && readUint32BE(bytes, 0) === (magic === IDX_IMAGES_MAGIC ? IDX_LABELS_MAGIC : IDX_IMAGES_MAGIC)
      ? ' Were the images and labels files swapped?'
      : '';
  throw new MnistDataError(
    file,
    'bad-magic',
    `${file} is not an MNIST ${what} file: ${describeIdxStart(bytes)}, but ${what} files start with magic ${hex(magic, 8)}.${swapped} ${MNIST_REMEDY}`,
  );
}

/**
 * Parses an IDX image file (magic 0x00000803, dims [count, rows, cols]) from uncompressed bytes.
 * `pixels` is a view into `bytes`, `[count, rows, cols]` row-major, values 0..255.
 */
export function parseIdxImages(bytes: Uint8Array, source: IdxSource = {}): IdxImages {
  const file = source.file ?? 'images';
  expectMagic(bytes, IDX_IMAGES_MAGIC, 'image', file);
  const { dims, data } = parseIdx(bytes, { ...source, file });
  return { count: dims[0], rows: dims[1], cols: dims[2], pixels: data };
}

/**
 * Parses an IDX label file (magic 0x00000801, dims [count]) from uncompressed bytes and checks
 * every label is a digit 0..9 (MnistDataError `bad-label` otherwise). `labels` is a view into
 * `bytes`.
 */
export function parseIdxLabels(bytes: Uint8Array, source: IdxSource = {}): IdxLabels {
  const file = source.file ?? 'labels';
  expectMagic(bytes, IDX_LABELS_MAGIC, 'label', file);
  const { dims, data } = parseIdx(bytes, { ...source, file });
  for (let i = 0; i < data.length; i++) {
    if (data[i] > 9) {
      throw new MnistDataError(
        file,
        'bad-label',
        `${file} has label ${data[i]} at index ${formatCount(i)}; MNIST labels are the digits 0..9. ${MNIST_REMEDY}`,
      );
    }
  }
  return { count: dims[0], labels: data };
}

/**
 * Writes an unsigned-byte IDX file: the header for `dims` followed by `data`, whose length must be
 * the product of `dims`. Every dimension must be an integer in [0, 2³²).
 */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  if (dims.length > 255) throw new ConvConfigError('dims', `dims must have at most 255 entries, got ${dims.length}`);
  let size = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0 || d > 0xffffffff) {
      throw new ConvConfigError('dims', `dims must be integers in [0, 2^32), got ${describeValue(dims)}`);
    }
    size *= d;
  }
  if (data.length !== size) {
    throw new ConvConfigError('data', `data length must equal the product of dims ${describeValue(dims)} = ${size}, got ${data.length}`);
  }
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + size);
  out[2] = IDX_UBYTE;
  out[3] = dims.length;
  dims.forEach((d, k) => writeUint32BE(out, 4 + 4 * k, d));
  out.set(data, header);
  return out;
}

/**
 * Writes an IDX image file (magic 0x00000803) holding `count` images of `rows`×`cols` pixels;
 * `pixels` is `[count, rows, cols]` row-major, values 0..255.
 */
export function encodeIdxImages(pixels: Uint8Array, count: number, rows = 28, cols = 28): Uint8Array {
  return encodeIdx([count, rows, cols], pixels);
}

/** Writes an IDX label file (magic 0x00000801) holding `labels` (digits 0..9). */
export function encodeIdxLabels(labels: Uint8Array): Uint8Array {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] > 9) throw new ConvConfigError('labels', `labels must be digits 0..9, got ${labels[i]} at index ${i}`);
  }
  return encodeIdx([labels.length], labels);
}
