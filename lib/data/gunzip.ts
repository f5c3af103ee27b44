import { MnistDataError, MNIST_REMEDY, formatCount } from './mnist-error.ts';

/** The two bytes every gzip stream starts with (RFC 1952: ID1 = 0x1f, ID2 = 0x8b). */
export const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * The largest file the data layer unpacks: the MNIST training images, 16 header bytes plus
 * 60,000·28·28 pixels = 47,040,016 bytes. gunzip stops past it (or past the size the file's own
 * header declares, when smaller), so a gzip bomb is refused after a few megabytes of work.
 */
export const MAX_UNPACKED_BYTES = 16 + 60_000 * 28 * 28;

/** Compressed bytes fed to the decompressor at a time: at most ~1,032× that comes out (deflate's limit). */
const SLICE_BYTES = 8 * 1024;

/** Milliseconds of unpacking between two yields to the event loop (the page stays responsive). */
const SLICE_MS = 12;

/** True when `bytes` starts with the gzip magic `1f 8b`. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** Views an ArrayBuffer (or returns a Uint8Array as is) without copying. */
export function asBytes(data: ArrayBuffer | Uint8Array): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data);
}

/**
 * How much output a stream may have, told from its first bytes: `boundFromHead(head)` returns the
 * most bytes the file may unpack to, or null while `head` is too short to tell (it is asked again
 * as more arrives, with up to 1,024 bytes).
 */
export interface GunzipLimit {
  /** The most bytes the output may hold whatever its head says (default MAX_UNPACKED_BYTES). */
  readonly maxBytes?: number;
  readonly boundFromHead?: (head: Uint8Array) => number | null;
  /** What the head's bound is, for the message (default "the length its header describes"). */
  readonly boundName?: string;
}

/** Longest head passed to boundFromHead: an IDX header of 255 dimensions is 1,024 bytes. */
const HEAD_BYTES = 1024;

/** Lets the event loop run (input, painting) between slices of work. */
function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function tooLong(file: string, limit: number, what: string): MnistDataError {
  return new MnistDataError(
    file,
    'too-long',
    `${file} unpacks to more than ${formatCount(limit)} bytes, ${what}; unpacking stopped there. ${MNIST_REMEDY}`,
  );
}

/**
 * Unpacks gzip bytes with the platform's `DecompressionStream('gzip')`, so the same code runs in
 * browsers, workers and Node ≥ 18 (no zlib import). The compressed bytes go in 8 kB slices and the
 * loop yields to the event loop every ~12 ms, so no task blocks the page for long; the output is
 * bounded: past `limit.maxBytes` (default MAX_UNPACKED_BYTES), or past what `limit.boundFromHead`
 * reads from the first bytes (an IDX header's size), it stops and throws MnistDataError
 * `too-long` naming the file and the limit. `file` names the file in error messages. Also throws
 * MnistDataError: `not-gzip` when the bytes lack the gzip magic, `truncated` when the stream ends
 * early, `corrupt-gzip` for any other unpacking failure.
 */
export async function gunzip(data: ArrayBuffer | Uint8Array, file = 'file', limit: GunzipLimit = {}): Promise<Uint8Array> {
  const bytes = asBytes(data);
  if (!isGzip(bytes)) {
    throw new MnistDataError(file, 'not-gzip', `${file} is not a gzip file (it does not start with the bytes 1f 8b). ${MNIST_REMEDY}`);
  }
  try {
    return await boundedInflate(bytes, file, limit);
  } catch (error) {
    if (error instanceof MnistDataError) throw error;
    const code = (error as { code?: unknown } | null)?.code;
    const message = error instanceof Error ? error.message : '';
    const detail = message ? ` (${message})` : '';
    // Node reports Z_BUF_ERROR; Chromium says the input "was truncated" / "not properly terminated".
    if (code === 'Z_BUF_ERROR' || /truncat|terminat|unexpected end/i.test(message)) {
      throw new MnistDataError(file, 'truncated', `${file} is truncated: its gzip stream ends before the data does. ${MNIST_REMEDY}`);
    }
    throw new MnistDataError(file, 'corrupt-gzip', `${file} is damaged: its gzip data could not be unpacked${detail}. ${MNIST_REMEDY}`);
  }
}

/** The inflate loop: writes slices, reads what comes out, stops past the bound (see gunzip). */
async function boundedInflate(bytes: Uint8Array, file: string, limit: GunzipLimit): Promise<Uint8Array> {
  const maxBytes = limit.maxBytes ?? MAX_UNPACKED_BYTES;
  let bound = maxBytes;
  let boundWhat = maxBytes === MAX_UNPACKED_BYTES ? 'the size of the largest MNIST file (the training images)' : 'the most allowed';
  let headKnown = !limit.boundFromHead;
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  let stopped: MnistDataError | null = null;

  const feed = (async () => {
    let sliceStart = performance.now();
    for (let at = 0; at < bytes.length && !stopped; at += SLICE_BYTES) {
      await writer.ready;
      await writer.write(bytes.subarray(at, at + SLICE_BYTES) as Uint8Array<ArrayBuffer>);
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldToEventLoop();
        sliceStart = performance.now();
      }
    }
    if (!stopped) await writer.close();
  })();
  // A stop makes the pending write reject; that rejection is expected, not an error to report.
  const fed = feed.catch((error: unknown) => (stopped ? undefined : Promise.reject(error)));

  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
      if (!headKnown) {
        const head = concat(chunks, Math.min(total, HEAD_BYTES));
        const fromHead = limit.boundFromHead!(head);
        if (fromHead !== null || total >= HEAD_BYTES) headKnown = true;
        if (fromHead !== null && fromHead < bound) {
          bound = fromHead;
          boundWhat = limit.boundName ?? 'the length its header describes';
        } else if (fromHead !== null && fromHead > maxBytes) {
          stopped = new MnistDataError(
            file,
            'too-long',
            `${file} has a header describing ${formatCount(fromHead)} bytes, more than ${formatCount(maxBytes)} bytes, ${boundWhat}. ${MNIST_REMEDY}`,
          );
        }
      }
      if (!stopped && total > bound) stopped = tooLong(file, bound, boundWhat);
      if (stopped) {
        await Promise.allSettled([reader.cancel(stopped), writer.abort(stopped)]);
        throw stopped;
      }
    }
    await fed;
  } catch (error) {
    await fed.catch(() => undefined);
    throw error;
  }
  return concat(chunks, total);
}

/** The first `length` bytes of `chunks` joined into one array. */
function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0].length === length) return chunks[0];
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    if (offset >= length) break;
    const part = chunk.subarray(0, length - offset);
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Unpacks `data` when it is gzip (bounded as gunzip is, by `limit`), and returns IDX bytes that
 * were never packed as they are.
 */
export async function maybeGunzip(data: ArrayBuffer | Uint8Array, file = 'file', limit: GunzipLimit = {}): Promise<Uint8Array> {
  const bytes = asBytes(data);
  return isGzip(bytes) ? gunzip(bytes, file, limit) : bytes;
}
