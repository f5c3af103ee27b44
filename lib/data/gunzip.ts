import { MnistDataError, MNIST_REMEDY } from './mnist-error.ts';

/** The two bytes every gzip stream starts with (RFC 1952: ID1 = 0x1f, ID2 = 0x8b). */
export const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** True when `bytes` starts with the gzip magic `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Views an ArrayBuffer (or returns a Uint8Array as is) without copying. */
export function asBytes(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

/**
 * Unpacks gzip bytes with the platform's `DecompressionStream('gzip')`, so the same code runs in
 * browsers, workers and Node ≥ 18 (no zlib import). `file` names the file in error messages.
 * Throws MnistDataError: `not-gzip` when the bytes lack the gzip magic, `truncated` when the
 * stream ends early, `corrupt-gzip` for any other unpacking failure.
 */
export async function gunzip(data: ArrayBuffer | Uint8Array, file = 'file'): Promise<Uint8Array> {
  const bytes = asBytes(data);
  if (!isGzip(bytes)) {
    throw new MnistDataError(
      file,
      'not-gzip',
      `${file} is not a gzip file (it does not start with the bytes 1f 8b). ${MNIST_REMEDY}`,
    );
  }
  const source = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
  try {
    return await readAll(source);
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : '';
    const detail = message ? ` (${message})` : '';
    // Node reports Z_BUF_ERROR; Chromium says the input "was truncated" / "not properly terminated".
    if (code === 'Z_BUF_ERROR' || /truncat|terminat|unexpected end/i.test(message)) {
      throw new MnistDataError(
        file,
        'truncated',
        `${file} is truncated: its gzip stream ends before the data does. ${MNIST_REMEDY}`,
      );
    }
    throw new MnistDataError(
      file,
      'corrupt-gzip',
      `${file} is damaged: its gzip data could not be unpacked${detail}. ${MNIST_REMEDY}`,
    );
  }
}

/** Reads a byte stream to the end (its own errors propagate, unlike Response.arrayBuffer's "Failed to fetch"). */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Unpacks `data` when it is gzip, and returns IDX bytes that were never packed as they are. */
export async function maybeGunzip(data: ArrayBuffer | Uint8Array, file = 'file'): Promise<Uint8Array> {
  const bytes = asBytes(data);
  return isGzip(bytes) ? gunzip(bytes, file) : bytes;
}
