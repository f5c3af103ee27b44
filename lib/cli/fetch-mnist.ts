/**
 * `npm run data`: downloads the four MNIST files into site/public/data/mnist/ (node-only).
 *
 * Each file is tried on every mirror in turn. A download is streamed into a temporary file next to
 * its target, checked (size and SHA-256 where the published values are known, then unpacked and
 * its IDX header, count and length validated by lib/data), and only then renamed into place, so a
 * partial or wrong file never appears under the standard name. Files already present and valid are
 * skipped. Interrupting (Ctrl-C) removes the temporary file.
 *
 * Usage: node lib/cli/fetch-mnist.ts [--dir PATH] [--mirror URL]... [--quiet]
 */
import { createHash } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import http from 'node:http';
import type { IncomingMessage } from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodeIdxImages, decodeIdxLabels } from '../data/mnist.ts';
import { MnistDataError, formatCount } from '../data/mnist-error.ts';
import { MNIST_FILES, MNIST_SIDE } from '../data/mnist-files.ts';
import type { MnistFileSpec } from '../data/mnist-files.ts';

/**
 * Public mirrors of the original MNIST files, tried in order: the ossci-datasets S3 bucket that
 * torchvision downloads from, the CVDF Google Cloud bucket that TensorFlow's loaders use, and the
 * original site (often unavailable nowadays, kept as a last resort). All serve the same .gz files.
 */
export const MNIST_MIRRORS: readonly string[] = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
  'http://yann.lecun.com/exdb/mnist/',
];

/** Where `npm run data` puts the files: site/public/data/mnist/ under the repository root. */
export const DEFAULT_MNIST_DIR = fileURLToPath(new URL('../../site/public/data/mnist/', import.meta.url));

/** What to say when nothing can be downloaded. */
const BY_HAND = 'The site still works; the trainer page lets you pick the four files by hand.';

/** One failed try of one file on one mirror. `network` is true when no HTTP response came back. */
export interface FetchAttempt {
  readonly url: string;
  readonly error: string;
  readonly network: boolean;
}

/** What happened to one file: already there, downloaded (from `url`), or failed on every mirror. */
export interface FileOutcome {
  readonly fileName: string;
  readonly status: 'present' | 'downloaded' | 'failed';
  readonly url?: string;
  readonly attempts: readonly FetchAttempt[];
}

/** The result of a run: `ok` when all files are in place; `message` explains a failure. */
export interface FetchMnistResult {
  readonly ok: boolean;
  /** True when a file failed on every mirror with network errors (no server answered). */
  readonly offline: boolean;
  readonly files: readonly FileOutcome[];
  readonly message: string;
}

export interface FetchMnistOptions {
  /** Target folder (created when missing). Default: site/public/data/mnist/. */
  readonly dir?: string;
  /** Mirror base URLs (each + file name is a file's URL). Default: MNIST_MIRRORS. */
  readonly mirrors?: readonly string[];
  /** The files to fetch and check. Default: MNIST_FILES (the four standard files). */
  readonly files?: readonly MnistFileSpec[];
  /** No progress output (failures are still reported through the result). */
  readonly quiet?: boolean;
  /** Where progress goes. Default: process.stderr. */
  readonly stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Abort a download when no bytes arrive for this long (ms). Default 30 s. */
  readonly idleTimeoutMs?: number;
  /** Aborts the whole run. */
  readonly signal?: AbortSignal;
}

/** Temporary files being written right now, removed on failure, on SIGINT and at exit. */
const activeTempFiles = new Set<string>();

/** Deletes every temporary file still being written (synchronously, so it works in a signal handler). */
export function removePartialDownloads(): void {
  for (const file of activeTempFiles) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
    activeTempFiles.delete(file);
  }
}

/** Formats a byte count for humans: `4.5 kB`, `1.6 MB`. */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(1)} MB`;
}

/**
 * One progress line: `name [██████░░░░]  60%  1.0 MB / 1.6 MB`. Without a known total it shows
 * the bytes so far only. `width` is the bar's length in characters.
 */
export function formatProgress(name: string, received: number, total: number | null, width = 24): string {
  if (total === null || total <= 0) return `${name}  ${formatBytes(received)}`;
  const fraction = Math.min(1, received / total);
  const filled = Math.round(fraction * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${name} [${bar}] ${percent}  ${formatBytes(received)} / ${formatBytes(total)}`;
}

/**
 * Checks the bytes of a downloaded or existing .gz file against its spec: size and SHA-256 where
 * known, then unpacks it and validates the IDX header, the count, 28×28 images, the exact length
 * and labels 0..9. Throws MnistDataError saying what is wrong.
 */
export async function verifyMnistFile(bytes: Uint8Array, spec: MnistFileSpec): Promise<void> {
  const file = spec.fileName;
  if (spec.gzipBytes !== null && bytes.length !== spec.gzipBytes) {
    throw new MnistDataError(
      file,
      'size',
      `${file} has ${formatCount(bytes.length)} bytes, the published file has ${formatCount(spec.gzipBytes)}`,
    );
  }
  if (spec.sha256 !== null) {
    const sum = createHash('sha256').update(bytes).digest('hex');
    if (sum !== spec.sha256) {
      throw new MnistDataError(file, 'checksum', `${file} has SHA-256 ${sum}, the published file has ${spec.sha256}`);
    }
  }
  const count = spec.kind === 'images' ? await checkImages(bytes, file) : (await decodeIdxLabels(bytes, file)).count;
  if (spec.count !== null && count !== spec.count) {
    throw new MnistDataError(
      file,
      'count-mismatch',
      `${file} holds ${formatCount(count)} ${spec.kind}, the ${spec.split} set has ${formatCount(spec.count)}`,
    );
  }
}

async function checkImages(bytes: Uint8Array, file: string): Promise<number> {
  const images = await decodeIdxImages(bytes, file);
  if (images.rows !== MNIST_SIDE || images.cols !== MNIST_SIDE) {
    throw new MnistDataError(file, 'bad-shape', `${file} holds ${images.rows}×${images.cols} images, not 28×28`);
  }
  return images.count;
}

/** Short reason for an error, with the low-level code (ECONNREFUSED, ENOTFOUND) where there is one. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof MnistDataError) return error.message.replace(/\.? Download it again.*$/, '');
  const own = (error as { code?: unknown }).code;
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof own === 'string' ? own : typeof cause?.code === 'string' ? cause.code : '';
  return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** A progress line on a stream: redrawn in place on a terminal, printed once at the end otherwise. */
class ProgressLine {
  private last = 0;
  private readonly stream: FetchMnistOptions['stream'];
  private readonly name: string;

  constructor(stream: FetchMnistOptions['stream'], name: string) {
    this.stream = stream;
    this.name = name;
  }

  update(received: number, total: number | null): void {
    if (!this.stream?.isTTY) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.stream.write(`\r${formatProgress(this.name, received, total)}\x1b[K`);
  }

  finish(line: string): void {
    if (!this.stream) return;
    this.stream.write(this.stream.isTTY ? `\r${line}\x1b[K\n` : `${line}\n`);
  }
}

/** An Error flagged as a network failure: no HTTP response came back (refused, DNS, timeout). */
function networkError(reason: unknown): Error {
  return Object.assign(new Error(describeError(reason)), { network: true });
}

/**
 * Sends a GET and resolves with the response, following up to `redirects` redirects. Rejects with
 * a network error when no response arrives.
 */
function get(url: string, signal: AbortSignal, redirects = 5): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === 'https:' ? https : http;
    const request = client.get(target, { signal, headers: { 'user-agent': 'unrolled-fetch-mnist' } }, (response) => {
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        if (redirects === 0) reject(new Error(`too many redirects (last to ${location})`));
        else get(new URL(location, target).href, signal, redirects - 1).then(resolve, reject);
        return;
      }
      resolve(response);
    });
    request.on('error', (error) => reject(networkError(signal.aborted ? signal.reason : error)));
  });
}

/**
 * Downloads `url` into `tempFile`, calling `onBytes` as data arrives. Uses node:http(s) rather
 * than fetch: Node 22's bundled undici can crash the process (an uncatchable assertion, undici
 * issue #5360) when a server closes the connection while a fetch body is paused under
 * backpressure, which a slow disk write can cause.
 */
async function download(
  url: string,
  tempFile: string,
  options: { idleTimeoutMs: number; signal?: AbortSignal },
  onBytes: (received: number, total: number | null) => void,
): Promise<void> {
  const controller = new AbortController();
  const abortFromOutside = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', abortFromOutside, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${formatDuration(options.idleTimeoutMs)}`)), options.idleTimeoutMs);
  };
  try {
    arm();
    const response = await get(url, controller.signal);
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      response.resume();
      throw new Error(`HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}`);
    }
    const header = response.headers['content-length'];
    const total = header !== undefined && /^\d+$/.test(header) ? Number(header) : null;
    const handle = await open(tempFile, 'wx');
    let received = 0;
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        arm();
        for (let at = 0; at < chunk.length;) at += (await handle.write(chunk, at)).bytesWritten;
        received += chunk.length;
        onBytes(received, total);
      }
    } catch (error) {
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      throw new Error(`download broke off after ${formatCount(received)} bytes: ${describeError(reason)}`, { cause: error });
    } finally {
      await handle.close();
    }
    if (total !== null && received !== total) {
      throw new Error(`download ended after ${formatCount(received)} of ${formatCount(total)} bytes`);
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abortFromOutside);
  }
}

/** Fetches one file from the first mirror that delivers a valid copy. */
async function fetchOne(
  spec: MnistFileSpec,
  dir: string,
  mirrors: readonly string[],
  options: { idleTimeoutMs: number; signal?: AbortSignal; stream?: FetchMnistOptions['stream'] },
): Promise<FileOutcome> {
  const target = path.join(dir, spec.fileName);
  const attempts: FetchAttempt[] = [];
  for (const mirror of mirrors) {
    if (options.signal?.aborted) break;
    const url = new URL(spec.fileName, mirror.endsWith('/') ? mirror : `${mirror}/`).href;
    const tempFile = path.join(dir, `.${spec.fileName}.${process.pid}.${Date.now().toString(36)}.part`);
    const progress = new ProgressLine(options.stream, spec.fileName);
    activeTempFiles.add(tempFile);
    try {
      await download(url, tempFile, options, (received, total) => progress.update(received, total));
      const bytes = new Uint8Array(await readFile(tempFile));
      await verifyMnistFile(bytes, spec);
      await rename(tempFile, target);
      activeTempFiles.delete(tempFile);
      const checked = spec.sha256 !== null ? 'SHA-256 and IDX header verified' : 'IDX header verified';
      progress.finish(`✓ ${spec.fileName}  ${formatBytes(bytes.length)} from ${hostOf(url)} (${checked})`);
      return { fileName: spec.fileName, status: 'downloaded', url, attempts };
    } catch (error) {
      const network = Boolean((error as { network?: boolean }).network);
      const attempt = { url, error: describeError(error), network };
      attempts.push(attempt);
      progress.finish(`✗ ${spec.fileName} from ${hostOf(url)}: ${attempt.error}`);
    } finally {
      if (activeTempFiles.has(tempFile)) {
        await rm(tempFile, { force: true });
        activeTempFiles.delete(tempFile);
      }
    }
  }
  return { fileName: spec.fileName, status: 'failed', attempts };
}

/**
 * Makes sure every file is present and valid in `dir`, downloading what is missing or invalid.
 * Never throws for download problems: the result says what happened, and `message` explains a
 * failure (all mirrors unreachable → the offline message).
 */
export async function fetchMnistFiles(options: FetchMnistOptions = {}): Promise<FetchMnistResult> {
  const dir = options.dir ?? DEFAULT_MNIST_DIR;
  const mirrors = options.mirrors ?? MNIST_MIRRORS;
  const files = options.files ?? MNIST_FILES;
  const stream = options.quiet ? undefined : (options.stream ?? process.stderr);
  const common = {
    idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
    signal: options.signal,
    stream,
  };
  await mkdir(dir, { recursive: true });
  const outcomes: FileOutcome[] = [];
  for (const spec of files) {
    const target = path.join(dir, spec.fileName);
    const existing = await readFile(target).catch(() => null);
    if (existing) {
      try {
        await verifyMnistFile(new Uint8Array(existing), spec);
        stream?.write(`✓ ${spec.fileName}  already present and valid\n`);
        outcomes.push({ fileName: spec.fileName, status: 'present', attempts: [] });
        continue;
      } catch (error) {
        stream?.write(`${spec.fileName} is present but invalid (${describeError(error)}); downloading it again\n`);
      }
    }
    const outcome = await fetchOne(spec, dir, mirrors, common);
    outcomes.push(outcome);
    if (outcome.status === 'failed' && outcome.attempts.length > 0 && outcome.attempts.every((a) => a.network)) {
      const reasons = outcome.attempts.map((a) => `${hostOf(a.url)}: ${a.error}`).join('; ');
      return { ok: false, offline: true, files: outcomes, message: `Could not reach any MNIST mirror (${reasons}). ${BY_HAND}` };
    }
    if (options.signal?.aborted) break;
  }
  const failed = outcomes.filter((o) => o.status === 'failed');
  if (failed.length === 0 && outcomes.length === files.length) {
    return { ok: true, offline: false, files: outcomes, message: `MNIST is ready in ${dir}` };
  }
  const details = failed
    .map((o) => `${o.fileName}: ${o.attempts.map((a) => `${hostOf(a.url)}: ${a.error}`).join('; ') || 'interrupted'}`)
    .join('\n  ');
  return {
    ok: false,
    offline: false,
    files: outcomes,
    message: `Could not get a valid copy of ${failed.map((o) => o.fileName).join(', ') || 'every file'}:\n  ${details}\nTry again later or pass --mirror URL. ${BY_HAND}`,
  };
}

const USAGE = `Usage: npm run data -- [--dir PATH] [--mirror URL]... [--quiet]

Downloads the four MNIST files into site/public/data/mnist/ and verifies them.
  --dir PATH     put the files in PATH instead
  --mirror URL   a folder URL holding the four .gz files; repeat to try several
                 (replaces the built-in list of mirrors)
  --quiet, -q    print nothing but errors
`;

/** Parsed command line; `error` is set when the arguments are not understood. */
export interface CliArgs {
  readonly dir?: string;
  readonly mirrors?: string[];
  readonly quiet: boolean;
  readonly help: boolean;
  readonly error?: string;
}

/** Parses the command line (without `node` and the script path). */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        dir: { type: 'string' },
        mirror: { type: 'string', multiple: true },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
    for (const mirror of values.mirror ?? []) {
      let ok = false;
      try {
        ok = ['http:', 'https:'].includes(new URL(mirror).protocol);
      } catch {
        ok = false;
      }
      if (!ok) return { quiet: false, help: false, error: `--mirror must be an http(s) URL, got ${JSON.stringify(mirror)}` };
    }
    return {
      dir: values.dir === undefined ? undefined : path.resolve(values.dir),
      mirrors: values.mirror,
      quiet: values.quiet ?? false,
      help: values.help ?? false,
    };
  } catch (error) {
    return { quiet: false, help: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Runs the command: returns the exit code (0 all files ready, 1 a file could not be fetched,
 * 2 bad arguments). Temporary files are removed if the process is interrupted.
 */
export async function main(argv: readonly string[], stream: NodeJS.WritableStream = process.stderr): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.error) {
    stream.write(`${args.error}\n\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    stream.write(USAGE);
    return 0;
  }
  const onSignal = (signal: NodeJS.Signals) => {
    removePartialDownloads();
    stream.write(`\nInterrupted; no partial file was left behind.\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', removePartialDownloads);
  try {
    const result = await fetchMnistFiles({ dir: args.dir, mirrors: args.mirrors, quiet: args.quiet, stream });
    if (!result.ok) stream.write(`${result.message}\n`);
    else if (!args.quiet) stream.write(`${result.message}\n`);
    return result.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('exit', removePartialDownloads);
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  return script !== undefined && path.resolve(script) === fileURLToPath(import.meta.url);
}

if (isEntryPoint()) {
  process.exitCode = await main(process.argv.slice(2));
}
