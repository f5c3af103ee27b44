import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MNIST_MIRRORS, fetchMnistFiles, formatProgress, main, parseCliArgs } from '../../lib/cli/fetch-mnist.ts';
import { MNIST_FILES, encodeIdxImages, encodeIdxLabels } from '../../lib/data/index.ts';
import type { MnistFileSpec } from '../../lib/data/index.ts';
import { createRng } from '../../lib/random.ts';
import { findMnistDir, MNIST_MISSING } from './helpers/mnist-dir.ts';

const CLI = fileURLToPath(new URL('../../lib/cli/fetch-mnist.ts', import.meta.url));

/** The four standard files with small random contents: 30 train and 10 test digits, gzipped. */
function buildFiles(seed: number): Map<string, Uint8Array> {
  const rng = createRng(seed);
  const byte = (hi: number) => Math.floor(hi * rng());
  const files = new Map<string, Uint8Array>();
  for (const [split, n] of [
    ['train', 30],
    ['t10k', 10],
  ] as const) {
    files.set(
      `${split}-images-idx3-ubyte.gz`,
      gzipSync(
        encodeIdxImages(
          Uint8Array.from({ length: n * 784 }, () => byte(256)),
          n,
        ),
      ),
    );
    files.set(`${split}-labels-idx1-ubyte.gz`, gzipSync(encodeIdxLabels(Uint8Array.from({ length: n }, () => byte(10)))));
  }
  return files;
}

const served = buildFiles(7);
/** Same names and counts, other digits: a valid IDX file that is not the one the checksums describe. */
const impostor = buildFiles(8);

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Specs of the served files, with their sizes and checksums computed here. */
function specsFor(files: Map<string, Uint8Array>, { checksums = true } = {}): MnistFileSpec[] {
  return MNIST_FILES.map((spec) => {
    const bytes = files.get(spec.fileName)!;
    return {
      ...spec,
      count: spec.split === 'train' ? 30 : 10,
      gzipBytes: checksums ? bytes.length : null,
      sha256: checksums ? sha256(bytes) : null,
    };
  });
}

const realDir = findMnistDir();

/**
 * Routes: /good/ serves the files, /error/ answers 500, /short/ sends the first half as a complete
 * response, /cut/ promises the whole file and drops the connection halfway, /html/ sends an error
 * page with status 200, /other/ serves valid files with other digits, /stall/ sends a little and
 * then nothing, /real/ serves the real MNIST test files when present.
 */
let server: Server;
let base = '';
const requests: string[] = [];
const stalled = new Set<ServerResponse>();

function handle(req: IncomingMessage, res: ServerResponse): void {
  const [, route, name] = (req.url ?? '').split('/');
  requests.push(`${route}/${name}`);
  const file = route === 'other' ? impostor.get(name) : route === 'real' && realDir ? readRealFile(name) : served.get(name);
  if (!file || route === 'error') {
    res.writeHead(route === 'error' ? 500 : 404).end('no');
    return;
  }
  const half = file.subarray(0, file.length >> 1);
  switch (route) {
    case 'good':
    case 'other':
    case 'real':
      res.writeHead(200, { 'Content-Length': file.length }).end(file);
      return;
    case 'short':
      res.writeHead(200, { 'Content-Length': half.length }).end(half);
      return;
    case 'cut':
      res.writeHead(200, { 'Content-Length': file.length });
      res.write(half, () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    case 'html':
      res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!DOCTYPE html><html><body>Moved</body></html>');
      return;
    case 'stall':
      stalled.add(res);
      res.writeHead(200, { 'Content-Length': file.length });
      res.write(half);
      return;
    default:
      res.writeHead(404).end();
  }
}

function readRealFile(name: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(path.join(realDir!, name)));
  } catch {
    return undefined;
  }
}

/** A port on 127.0.0.1 with nothing listening. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const tempDirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'fetch-mnist-'));
  tempDirs.push(dir);
  return dir;
}

/** A stream that records what is written; `isTTY` as asked. */
function captureStream(isTTY = false) {
  const chunks: string[] = [];
  return {
    isTTY,
    chunks,
    text: () => chunks.join(''),
    write(chunk: string | Uint8Array) {
      chunks.push(String(chunk));
      return true;
    },
  } as unknown as NodeJS.WritableStream & { isTTY: boolean; text: () => string; chunks: string[] };
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of stalled) res.destroy();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('fetchMnistFiles against a local server', () => {
  it('a mirror answering 500, then a good mirror → all four files land, verified', async () => {
    const dir = freshDir();
    const result = await fetchMnistFiles({
      dir,
      mirrors: [`${base}/error/`, `${base}/good/`],
      files: specsFor(served),
      quiet: true,
    });
    expect(result.ok).toBe(true);
    expect(result.files.map((f) => f.status)).toEqual(['downloaded', 'downloaded', 'downloaded', 'downloaded']);
    expect(result.files[0].attempts).toEqual([
      { url: `${base}/error/train-images-idx3-ubyte.gz`, error: 'HTTP 500 Internal Server Error', network: false },
    ]);
    expect(readdirSync(dir).sort()).toEqual([...served.keys()].sort());
    for (const [name, bytes] of served) expect(sha256(readFileSync(path.join(dir, name)))).toBe(sha256(bytes));
  });

  it('a body cut off mid-transfer, then a good mirror → the file lands, no partial file', async () => {
    const dir = freshDir();
    const result = await fetchMnistFiles({
      dir,
      mirrors: [`${base}/cut/`, `${base}/good/`],
      files: specsFor(served),
      quiet: true,
    });
    expect(result.ok).toBe(true);
    expect(result.files[0].attempts[0].error).toMatch(/broke off after|ended after/);
    expect(readdirSync(dir).sort()).toEqual([...served.keys()].sort());
  });

  it('without checksums, a truncated gzip is still caught by unpacking and the IDX check', async () => {
    const dir = freshDir();
    const result = await fetchMnistFiles({
      dir,
      mirrors: [`${base}/short/`, `${base}/good/`],
      files: specsFor(served, { checksums: false }),
      quiet: true,
    });
    expect(result.ok).toBe(true);
    for (const outcome of result.files) {
      expect(outcome.attempts).toHaveLength(1);
      expect(outcome.attempts[0].error).toMatch(/truncated|damaged/);
    }
    for (const [name, bytes] of served) expect(sha256(readFileSync(path.join(dir, name)))).toBe(sha256(bytes));
  });

  it('a valid IDX file with the wrong digits fails the SHA-256 check and the next mirror is used', async () => {
    const dir = freshDir();
    const specs = specsFor(served).map((s) => ({ ...s, gzipBytes: null }));
    const result = await fetchMnistFiles({ dir, mirrors: [`${base}/other/`, `${base}/good/`], files: specs, quiet: true });
    expect(result.ok).toBe(true);
    expect(result.files[2].attempts[0].error).toContain(`has SHA-256 ${sha256(impostor.get('t10k-images-idx3-ubyte.gz')!)}`);
    for (const [name, bytes] of served) expect(sha256(readFileSync(path.join(dir, name)))).toBe(sha256(bytes));
  });

  it('every mirror failing (500, HTML page, truncated) → not ok, each reason listed, no file left in the folder', async () => {
    const dir = freshDir();
    const result = await fetchMnistFiles({
      dir,
      mirrors: [`${base}/error/`, `${base}/html/`, `${base}/short/`],
      files: specsFor(served, { checksums: false }),
      quiet: true,
    });
    expect(result.ok).toBe(false);
    expect(result.offline).toBe(false);
    expect(result.files.every((f) => f.status === 'failed')).toBe(true);
    expect(result.message).toContain('Could not get a valid copy of train-images-idx3-ubyte.gz');
    expect(result.message).toContain('HTTP 500');
    expect(result.message).toContain('it looks like an HTML page');
    expect(result.message).toContain('is truncated');
    expect(result.message).toContain('trainer page lets you pick the four files by hand');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a stalled download times out, leaves no partial file, and the next mirror delivers', async () => {
    const dir = freshDir();
    const result = await fetchMnistFiles({
      dir,
      mirrors: [`${base}/stall/`, `${base}/good/`],
      files: specsFor(served).slice(3),
      quiet: true,
      idleTimeoutMs: 150,
    });
    expect(result.ok).toBe(true);
    expect(result.files[0].attempts[0].error).toMatch(/no data for/);
    expect(readdirSync(dir)).toEqual(['t10k-labels-idx1-ubyte.gz']);
  });

  it('files already present and valid are skipped without a request; an invalid one is fetched again', async () => {
    const dir = freshDir();
    const files = specsFor(served);
    expect((await fetchMnistFiles({ dir, mirrors: [`${base}/good/`], files, quiet: true })).ok).toBe(true);
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz'), 'garbage');
    requests.length = 0;
    const stream = captureStream();
    const again = await fetchMnistFiles({ dir, mirrors: [`${base}/good/`], files, stream });
    expect(again.files.map((f) => f.status)).toEqual(['present', 'present', 'present', 'downloaded']);
    expect(requests).toEqual(['good/t10k-labels-idx1-ubyte.gz']);
    expect(stream.text()).toContain('t10k-labels-idx1-ubyte.gz is present but invalid');
    expect(stream.text()).toContain('✓ train-images-idx3-ubyte.gz  already present and valid');
    expect(sha256(readFileSync(path.join(dir, 't10k-labels-idx1-ubyte.gz')))).toBe(sha256(served.get('t10k-labels-idx1-ubyte.gz')!));
  });

  it('on a terminal the progress bar is drawn on stderr with bytes and total', async () => {
    const dir = freshDir();
    const stream = captureStream(true);
    await fetchMnistFiles({ dir, mirrors: [`${base}/good/`], files: specsFor(served).slice(0, 1), stream });
    const size = served.get('train-images-idx3-ubyte.gz')!.length;
    expect(stream.text()).toMatch(/\rtrain-images-idx3-ubyte\.gz \[[█░]{24}\]/);
    expect(stream.text()).toContain(`/ ${(size / 1000).toFixed(1)} kB`);
    expect(stream.text()).toContain('✓ train-images-idx3-ubyte.gz');
  });

  it.skipIf(!realDir)(
    `the real test files served locally pass the published size and SHA-256${realDir ? '' : ` (skipped: ${MNIST_MISSING})`}`,
    async () => {
      const dir = freshDir();
      const testFiles = MNIST_FILES.filter((f) => f.split === 'test');
      const result = await fetchMnistFiles({ dir, mirrors: [`${base}/real/`], files: testFiles, quiet: true });
      expect(result.ok).toBe(true);
      expect(readdirSync(dir).sort()).toEqual(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']);
    },
  );
});

describe('offline', () => {
  it('every mirror refusing the connection → the offline message, nothing left behind', async () => {
    const dir = freshDir();
    const port = await closedPort();
    const result = await fetchMnistFiles({
      dir,
      mirrors: [`http://127.0.0.1:${port}/a/`, `http://127.0.0.1:${port}/b/`],
      files: specsFor(served),
      quiet: true,
    });
    expect(result.ok).toBe(false);
    expect(result.offline).toBe(true);
    expect(result.files).toHaveLength(1);
    expect(result.message).toMatch(/^Could not reach any MNIST mirror \(127\.0\.0\.1:\d+: connect ECONNREFUSED/);
    expect(result.message).toContain('The site still works; the trainer page lets you pick the four files by hand.');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('main with --mirror on a closed port prints the message and exits 1', async () => {
    const dir = freshDir();
    const port = await closedPort();
    const stream = captureStream();
    const code = await main(['--dir', dir, '--mirror', `http://127.0.0.1:${port}/`, '--quiet'], stream);
    expect(code).toBe(1);
    expect(stream.text()).toContain('Could not reach any MNIST mirror');
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('command line', () => {
  it('--mirror repeats, --dir resolves, -q is --quiet', () => {
    const args = parseCliArgs(['--mirror', 'http://a.test/m/', '--mirror=https://b.test/', '--dir', 'rel/dir', '-q']);
    expect(args.mirrors).toEqual(['http://a.test/m/', 'https://b.test/']);
    expect(args.dir).toBe(path.resolve('rel/dir'));
    expect(args.quiet).toBe(true);
    expect(args.error).toBeUndefined();
  });

  it('an unknown option or a mirror that is not an http(s) URL → exit code 2 with usage', async () => {
    expect(parseCliArgs(['--mirror', 'ftp://x/']).error).toBe('--mirror must be an http(s) URL, got "ftp://x/"');
    const stream = captureStream();
    expect(await main(['--nope'], stream)).toBe(2);
    expect(stream.text()).toMatch(/Unknown option '--nope'[\s\S]*Usage: npm run data/);
  });

  it('the built-in mirrors are the ossci-datasets S3 and CVDF buckets first', () => {
    expect(MNIST_MIRRORS.slice(0, 2)).toEqual([
      'https://ossci-datasets.s3.amazonaws.com/mnist/',
      'https://storage.googleapis.com/cvdf-datasets/mnist/',
    ]);
  });

  it('formatProgress: 500 of 1,000 bytes on a 10-wide bar', () => {
    expect(formatProgress('f.gz', 500, 1000, 10)).toBe('f.gz [█████░░░░░]  50%  500 B / 1.0 kB');
    expect(formatProgress('f.gz', 2_500_000, null)).toBe('f.gz  2.5 MB');
  });

  it('Ctrl-C during a download exits 130 and leaves no partial file', async () => {
    const dir = freshDir();
    const child = spawn(process.execPath, [CLI, '--dir', dir, '--mirror', `${base}/stall/`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Wait until the temporary file exists (the stalled mirror has sent half the file).
    const deadline = Date.now() + 8_000;
    while (!readdirSync(dir).some((f) => f.endsWith('.part')) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(readdirSync(dir).some((f) => f.endsWith('.part'))).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('Interrupted; no partial file was left behind.');
    expect(readdirSync(dir)).toEqual([]);
  });
});
